/** Constants the component tests share. */
import * as path from "node:path";

/** The fixture handlers (test/fixtures/functions) that component tests bundle as `code`. */
export const FUNCTIONS_DIR = path.join(__dirname, "..", "fixtures", "functions");

/** The alarm topic of the test account and region. */
export const ALARMS_TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alarms";

/** Constants the component tests share. */
import * as path from "node:path";
import { testArn } from "./testAccount";

/** The fixture handlers (test/fixtures/functions) that component tests bundle as `code`. */
export const FUNCTIONS_DIR = path.join(__dirname, "..", "fixtures", "functions");

/** The alarm topic of the test account and region. */
export const ALARMS_TOPIC_ARN = testArn("sns", "alarms");

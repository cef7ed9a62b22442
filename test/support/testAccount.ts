/**
 * The account and region of the tests' ARNs: the mocks' default world (the same as the handler
 * tests' events in scripts/harness/awsEvents.ts).
 */
import { DEFAULT_WORLD } from "../../scripts/harness/mockState";

export const TEST_ACCOUNT = DEFAULT_WORLD.accountId;
export const TEST_REGION = DEFAULT_WORLD.region;

/**
 * The ARN of `resource` of a regional `service` in the test account, as
 * `arn:aws:<service>:<region>:<account>:<resource>`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
 */
export const testArn = (service: string, resource: string): string =>
  `arn:aws:${service}:${TEST_REGION}:${TEST_ACCOUNT}:${resource}`;

/**
 * DynamoDB Streams consumer of the data table: turns relevant changes (filtered by the event source
 * mapping, and again here) into SNS messages for email and SMS subscribers, 10 per PublishBatch.
 * Reports the first record it could not publish (`ReportBatchItemFailures`): Lambda retries from
 * there, and nothing after it is published in this attempt, which limits repeats to that one batch.
 * DynamoDB stream records are read as the aws-lambda types, not through Powertools Parser's
 * DynamoDBStreamSchema: its unmarshalling turns numbers into JavaScript numbers or BigInts and
 * refuses the record when a number has neither form (1E+100, a 38-digit decimal, both of which
 * DynamoDB stores; test/functions/parserFit.test.ts), where `imageOf` keeps them exact; and the
 * parser and zod add 104 KiB (262 -> 365 KiB, over the 350 KiB budget).
 * Env: TOPIC_ARN (required), NOTIFY_EVENT_NAMES, NOTIFY_SEVERITIES (comma-separated).
 */
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import type { Logger } from "@aws-lambda-powertools/logger";
import { describeAwsError, isAuthorizationError } from "../lib/awsErrors";
import { createLogger, withLambdaContext } from "../lib/logger";
import { lazy } from "../lib/runtime";
import { readStreamNotifierEnv } from "./env";
import { type NotifyRules, formatNotification, shouldNotify } from "./notify";

/** PublishBatch's limit. */
export const PUBLISH_BATCH_LIMIT = 10;

export interface NotifierDeps {
  sns: Pick<SNSClient, "send">;
  topicArn: string;
  rules: NotifyRules;
  logger?: Pick<Logger, "info" | "warn" | "error">;
}

/**
 * Not Powertools' BatchProcessor: it hands the handler one record at a time and carries on after a
 * failure, where this handler publishes 10 notifications per PublishBatch call and must stop at the
 * first record it could not publish (Lambda resumes a DynamoDB stream from the lowest reported
 * sequence number, so publishing past it would repeat those notifications on the retry). Its only
 * stop-at-first-failure processor is for SQS FIFO queues.
 */
export function makeHandler(deps: NotifierDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const notifications = (event.Records ?? [])
      .filter((r) => shouldNotify(r, deps.rules))
      .map(formatNotification);
    let published = 0;
    for (let i = 0; i < notifications.length; i += PUBLISH_BATCH_LIMIT) {
      const chunk = notifications.slice(i, i + PUBLISH_BATCH_LIMIT);
      let failedIds: string[];
      try {
        const out = await deps.sns.send(
          new PublishBatchCommand({
            TopicArn: deps.topicArn,
            PublishBatchRequestEntries: chunk.map((n, j) => ({
              Id: String(j),
              Subject: n.subject,
              Message: n.message,
              MessageStructure: "json",
              MessageAttributes: n.attributes,
            })),
          }),
        );
        failedIds = (out.Failed ?? []).map((f) => String(f.Id));
        for (const f of out.Failed ?? []) deps.logger?.warn("publish failed", { ...f });
      } catch (e) {
        // Reported from the first unpublished record either way (no duplicate notifications on
        // the retry, and the on-failure destination after the retries); a denial (topic policy,
        // grant, key) is logged as an error, never as a warning.
        if (isAuthorizationError(e)) {
          deps.logger?.error("publish batch denied", describeAwsError(e));
        } else {
          deps.logger?.warn("publish batch failed", { error: (e as Error).message });
        }
        failedIds = chunk.map((_, j) => String(j));
      }
      if (failedIds.length > 0) {
        const first = Math.min(...failedIds.map(Number));
        published += first;
        deps.logger?.info("notifications published", { published, retrying: true });
        return { batchItemFailures: [{ itemIdentifier: chunk[first].sequenceNumber }] };
      }
      published += chunk.length;
    }
    deps.logger?.info("notifications published", {
      published,
      skipped: (event.Records ?? []).length - notifications.length,
    });
    return { batchItemFailures: [] };
  };
}

const logger = createLogger("stream-notifier");
const instance = lazy(() => {
  const { topicArn, eventNames, severities } = readStreamNotifierEnv();
  return makeHandler({
    sns: new SNSClient({}),
    topicArn,
    rules: { eventNames, severities },
    logger,
  });
});

/** Lambda entry point: the client is created on the first invocation and reused after. */
export const handler = withLambdaContext(logger, (event: DynamoDBStreamEvent) => instance()(event));

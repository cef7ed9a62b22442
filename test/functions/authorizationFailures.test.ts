/**
 * Authorization failures are loud (issue 11): a denied AWS call fails the invocation (Lambda's
 * Errors metric, which the function's alarm watches) or, in a container, stops the worker so
 * the health check fails, and is logged as an error. Never a warning followed by success.
 */
import { DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import { KmsAccessDenied } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { expect } from "chai";
import { QueueWorker } from "../../functions/lib/container/queueWorker";
import { batchPut } from "../../functions/lib/dynamoBatch";
import { processSqsBatch } from "../../functions/lib/sqsBatch";
import { processBatch } from "../../functions/stream-processor/process";
import { kinesisRecord } from "./support/streamEmulators";

const meta = { httpStatusCode: 400, requestId: "R", attempts: 1 };
const accessDenied = () =>
  new DynamoDBServiceException({
    name: "AccessDeniedException",
    $fault: "client",
    $metadata: meta,
    message: "User is not authorized to perform: dynamodb:PutItem on resource: table/secret",
  });
const kmsDenied = () => new KmsAccessDenied({ $metadata: meta, message: "KMS denied the key" });

async function rejection(p: Promise<unknown>): Promise<Error | undefined> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

const sqsEvent = (ids: string[]): SQSEvent => ({
  Records: ids.map((messageId) => ({ messageId }) as SQSEvent["Records"][number]),
});

describe("authorization failures fail loudly", () => {
  it("an SQS batch reports a denied record for retry and DLQ, flagged as an authorization failure", async () => {
    const failures: { messageId: string; authorization?: boolean }[] = [];
    const out = await processSqsBatch(
      sqsEvent(["a", "b", "c"]),
      async (r) => {
        if (r.messageId === "b") throw kmsDenied();
        if (r.messageId === "c") throw new Error("bad record");
      },
      { onFailure: (f) => failures.push(f) },
    );
    // The good record is not dragged to the DLQ with the denied one.
    expect(out.batchItemFailures).to.deep.equal([{ itemIdentifier: "b" }, { itemIdentifier: "c" }]);
    expect(failures.map((f) => [f.messageId, f.authorization])).to.deep.equal([
      ["b", true],
      ["c", false],
    ]);
  });

  it("a denied BatchWriteItem rejects instead of counting the rows as unwritten", async () => {
    const ddb = { send: async () => Promise.reject(accessDenied()) };
    const denied = await rejection(batchPut(ddb, "t", [{ id: "1" }], (i) => String(i.id), 1));
    expect(denied?.name).to.equal("AccessDeniedException");
    const failing = { send: async () => Promise.reject(new Error("socket hang up")) };
    // A non-authorization failure is reported per item (with its reason), not thrown.
    const failed = await batchPut(failing, "t", [{ id: "1" }], (i) => String(i.id), 1);
    expect([...failed.keys()]).to.deep.equal(["1"]);
  });

  it("stream-processor: a denied claim or release fails the invocation", async () => {
    const records = [kinesisRecord({ eventId: "e1" }), kinesisRecord({ eventId: "e2" })];
    const deps = { dedupeTable: "dedupe", dataTable: "data", dedupeTtlSeconds: 60 };
    const claimDenied = { send: async () => Promise.reject(accessDenied()) };
    const claim = await rejection(
      processBatch(records, Date.now() + 30_000, { ...deps, ddb: claimDenied }),
    );
    expect(claim?.name).to.equal("AccessDeniedException");
    // Claims succeed, rows stay unprocessed, and the best-effort release is denied.
    const releaseDenied = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const kind = command.constructor.name;
        if (kind === "PutCommand") return {};
        if (kind === "BatchWriteCommand") {
          return { UnprocessedItems: (command.input as { RequestItems: unknown }).RequestItems };
        }
        if (kind === "DeleteCommand") throw accessDenied();
        return {};
      },
    };
    const release = await rejection(
      processBatch(records, Date.now() + 30_000, {
        ...deps,
        ddb: releaseDenied as never,
        batchWriteAttempts: 1,
      }),
    );
    expect(release?.name).to.equal("AccessDeniedException");
  });

  it("a container queue worker whose receive is denied stops (unhealthy) and logs an error", async () => {
    const errors: string[] = [];
    const warnings: string[] = [];
    const worker = new QueueWorker({
      sqs: { send: async () => Promise.reject(kmsDenied()) },
      queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q",
      handle: async () => undefined,
      receiveErrorDelayMs: () => 1,
      logger: {
        info: () => undefined,
        warn: (m: string) => warnings.push(m),
        error: (m: string) => errors.push(m),
      },
    });
    worker.start();
    // It stops on its own: no stop() call, no backoff loop.
    for (let i = 0; i < 100 && worker.running; i++) await new Promise((r) => setImmediate(r));
    expect(worker.running).to.equal(false);
    await worker.stop();
    expect(errors).to.deep.equal(["receive denied; the worker stops"]);
    expect(warnings).to.deep.equal([]);
    expect(worker.running).to.equal(false);
  });
});

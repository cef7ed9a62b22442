/**
 * Powertools in the deployed artifacts: every log line of an invocation carries its request id
 * (Logger with the Lambda context), and the business figures leave as one CloudWatch embedded
 * metric format (EMF) line per invocation, in the namespace and with the `service` the function
 * component sets (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { expect } from "chai";
import { bundleFunction } from "../../components/compute/bundle";
import { BUSINESS_METRICS, FUNCTION_METRICS } from "../../functions/lib/businessMetrics";
import { withLambdaContext } from "../../functions/lib/logger";
import { countFigures } from "../../functions/lib/metrics";
import { TEST_EVENT, snsEnvelope, sqsEvent, sqsRecord } from "./support/objectEvents";

type Entry = (event: unknown, context?: Context) => Promise<unknown>;

function context(requestId: string, functionName = "fn"): Context {
  return {
    awsRequestId: requestId,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "256",
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "stream",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Every JSON line `run` writes to stdout or stderr (where Powertools' own consoles write). */
async function jsonLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const out: string[] = [];
  const streams = [process.stdout, process.stderr];
  const saved = streams.map((s) => s.write);
  for (const s of streams) {
    s.write = ((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    }) as typeof s.write;
  }
  try {
    await run();
  } finally {
    streams.forEach((s, i) => (s.write = saved[i]));
  }
  return out
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const isEmf = (l: Record<string, unknown>) => "_aws" in l;

/** Loads a bundle as Lambda does (a CommonJS module exporting `handler`), in a fresh module. */
function load(name: string): Entry {
  const { code } = bundleFunction(name);
  const mod: { exports: { handler?: Entry } } = { exports: {} };
  new Function("module", "exports", "require", code)(mod, mod.exports, require);
  return mod.exports.handler!;
}

describe("Powertools: Lambda context on every log line, EMF figures", () => {
  it("withLambdaContext puts the request id on every line and publishes the figures once", async () => {
    const logger = new Logger({ serviceName: "demo", logLevel: "INFO" });
    const metrics = new Metrics({ namespace: "demo-ns", serviceName: "demo-svc" });
    const handler = withLambdaContext(
      logger,
      async (event: { n: number }) => {
        logger.info("first");
        logger.warn("second", { n: event.n });
        countFigures(metrics, { [BUSINESS_METRICS.itemsWritten]: event.n });
        return event.n;
      },
      metrics,
    );
    const lines = await jsonLines(() => handler({ n: 3 }, context("req-1", "demo-fn")));
    const logs = lines.filter((l) => !isEmf(l));
    expect(logs.map((l) => l.message)).to.deep.equal(["first", "second"]);
    for (const l of logs) {
      expect(l.function_request_id).to.equal("req-1");
      expect(l.function_name).to.equal("demo-fn");
    }
    const emf = lines.filter(isEmf);
    expect(emf).to.have.length(1);
    expect(emf[0].ItemsWritten).to.equal(3);
    expect(emf[0].service).to.equal("demo-svc");
    const directive = (emf[0]._aws as { CloudWatchMetrics: Record<string, unknown>[] })
      .CloudWatchMetrics[0];
    expect(directive.Namespace).to.equal("demo-ns");
    expect(directive.Metrics).to.deep.equal([{ Name: "ItemsWritten", Unit: "Count" }]);
    // The next invocation is its own: its id, and no figures left over from the first.
    const next = await jsonLines(() =>
      withLambdaContext(
        logger,
        async () => logger.info("third"),
        metrics,
      )({}, context("req-2", "demo-fn")),
    );
    expect(next.map((l) => l.function_request_id)).to.deep.equal(["req-2"]);
  });

  it("publishes the figures of an invocation that throws, and none when there are none", async () => {
    const logger = new Logger({ serviceName: "demo", logLevel: "SILENT" });
    const metrics = new Metrics({ namespace: "demo-ns", serviceName: "demo-svc" });
    const failing = withLambdaContext(
      logger,
      async () => {
        countFigures(metrics, { [BUSINESS_METRICS.recordsRefused]: 2 });
        throw new Error("boom");
      },
      metrics,
    );
    const lines = await jsonLines(() => failing({}, context("r")).catch(() => undefined));
    expect(lines.filter(isEmf).map((l) => l.RecordsRefused)).to.deep.equal([2]);
    const quiet = withLambdaContext(logger, async () => 1, metrics);
    expect(await jsonLines(() => quiet({}, context("r")))).to.deep.equal([]);
  });

  describe("deployed bundles", () => {
    const saved = { ...process.env };
    before(() => {
      for (const k of ["POWERTOOLS_LOG_LEVEL", "LOG_LEVEL", "POWERTOOLS_DEV"])
        delete process.env[k];
      Object.assign(process.env, {
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "x",
        AWS_SECRET_ACCESS_KEY: "x",
        TABLE_NAME: "rows",
        DEDUPE_TABLE: "dedupe",
        DATA_TABLE: "data",
        POWERTOOLS_METRICS_NAMESPACE: "aws-serverless-flows/test",
      });
    });
    after(() => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    });

    const testEvent = sqsEvent(sqsRecord("m1", snsEnvelope(TEST_EVENT)));
    const cases: { name: string; event: unknown; message: string }[] = [
      { name: "file-indexer", event: testEvent, message: "batch indexed" },
      { name: "metadata-indexer", event: testEvent, message: "batch done" },
      { name: "stream-processor", event: { Records: [] }, message: "batch processed" },
      { name: "archive-transform", event: { records: [] }, message: "records transformed" },
      {
        name: "shard-autoscaler",
        event: { neither: "alarm nor schedule" },
        message: "ignoring an event that is neither an alarm nor the schedule",
      },
    ];
    for (const c of cases) {
      // The autoscaler publishes its decision only when it ran the scaler.
      const figures = c.name === "shard-autoscaler" ? undefined : FUNCTION_METRICS[c.name];
      it(`${c.name}: its log line carries the request id${figures ? ", its figures go out as EMF" : ""}`, async () => {
        process.env.POWERTOOLS_SERVICE_NAME = `svc-${c.name}`;
        const handler = load(c.name);
        const lines = await jsonLines(() => handler(c.event, context(`req-${c.name}`, c.name)));
        const log = lines.find((l) => l.message === c.message);
        expect(log, `"${c.message}" in ${JSON.stringify(lines)}`).to.not.equal(undefined);
        expect(log!.function_request_id).to.equal(`req-${c.name}`);
        const emf = lines.filter(isEmf);
        if (!figures) {
          expect(emf).to.deep.equal([]);
          return;
        }
        expect(emf).to.have.length(1);
        const directive = (emf[0]._aws as { CloudWatchMetrics: Record<string, unknown>[] })
          .CloudWatchMetrics[0];
        expect(directive.Namespace).to.equal("aws-serverless-flows/test");
        expect(emf[0].service).to.equal(`svc-${c.name}`);
        expect((directive.Metrics as { Name: string }[]).map((m) => m.Name)).to.have.members([
          ...figures,
        ]);
        // A test event writes nothing: zeros, so the graph shows a quiet batch, not a gap.
        for (const f of figures) expect(emf[0][f], f).to.equal(0);
      });
    }
  });
});

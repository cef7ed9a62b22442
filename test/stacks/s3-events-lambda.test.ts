import { expect } from "chai";
import { withoutKnownGrantFindings } from "../policy/expectedFailures";
import { stackFindings } from "../../scripts/harness/runStack";
import { runFlowBefore } from "../support/flowRun";
import { actionsOf } from "../support/iam";
import { s3EventsLambda } from "../../stacks/s3-events-lambda";

/** What the function component adds for Powertools: the function's service, the stack's namespace. */
const powertools = (service: string) => ({
  POWERTOOLS_SERVICE_NAME: service,
  POWERTOOLS_METRICS_NAMESPACE: "aws-serverless-flows/test",
});
const QUEUE = "aws:sqs/queue:Queue";
const FUNCTION = "aws:lambda/function:Function";
const PERMISSION = "aws:lambda/permission:Permission";

describe("flow s3-events-lambda", () => {
  const flow = runFlowBefore(s3EventsLambda, { auth: "none", processorTimeoutSeconds: 20 });
  const { get, grants } = flow;

  it("invokes the ingest function directly from the bucket, limited to bucket and account", () => {
    const [n] = flow.run.recorder.byType("aws:s3/bucketNotification:BucketNotification");
    const ingestArn = get(FUNCTION, "object-ingest").state.arn;
    expect(n.inputs.lambdaFunctions).to.deep.equal([
      {
        id: "object-ingest",
        lambdaFunctionArn: ingestArn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "uploads/",
      },
    ]);
    const permission = get(PERMISSION, "lambda-objects-object-ingest");
    expect(permission.inputs).to.deep.include({
      function: ingestArn,
      principal: "s3.amazonaws.com",
      sourceArn: get("aws:s3/bucket:Bucket", "lambda-objects").state.arn,
      sourceAccount: "123456789012",
    });
    expect(n.dependsOn).to.include(permission.urn);
  });

  it("ingest queues events and fails over to its own queue, not the work DLQ (defect 8)", () => {
    const work = get(QUEUE, "object-work");
    const dlq = get(QUEUE, "object-ingest-failures");
    expect(dlq.state.arn).to.not.equal(get(QUEUE, "object-work-dlq").state.arn);
    const env = (get(FUNCTION, "object-ingest").inputs.environment as { variables: object })
      .variables;
    expect(env).to.deep.equal({ QUEUE_URL: work.state.url, ...powertools("object-ingest") });
    const sends = grants("object-ingest").filter((s) => actionsOf(s).includes("sqs:SendMessage"));
    expect(sends.map((s) => s.Resource)).to.deep.equal([[dlq.state.arn], [work.state.arn]]);
    const invokeConfig = flow.run.recorder.byType(
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    )[0].inputs;
    expect(invokeConfig).to.deep.include({ maximumRetryAttempts: 2 });
    expect(invokeConfig.destinationConfig).to.deep.equal({
      onFailure: { destination: dlq.state.arn },
    });
  });

  it("processes the work queue with batch failure reporting and a 6x visibility timeout", () => {
    const work = get(QUEUE, "object-work");
    expect(work.inputs.visibilityTimeoutSeconds).to.equal(120);
    expect(JSON.parse(work.inputs.redrivePolicy as string)).to.deep.equal({
      deadLetterTargetArn: get(QUEUE, "object-work-dlq").state.arn,
      maxReceiveCount: 5,
    });
    const esm = get("aws:lambda/eventSourceMapping:EventSourceMapping", "object-processor").inputs;
    expect(esm).to.deep.include({
      eventSourceArn: work.state.arn,
      functionName: get(FUNCTION, "object-processor").state.arn,
      functionResponseTypes: ["ReportBatchItemFailures"],
      batchSize: 10,
      scalingConfig: { maximumConcurrency: 5 },
    });
    const writes = grants("object-processor").find((s) =>
      actionsOf(s).includes("dynamodb:PutItem"),
    );
    expect(writes?.Resource).to.deep.equal([
      get("aws:dynamodb/table:Table", "processed-objects").state.arn,
    ]);
    expect(
      flow.run.recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name),
    ).to.include.members(["object-work-dlq-depth", "object-ingest-failures-depth"]);
  });

  it("serves list/read routes over the processed table and the shared presign route", () => {
    const routes = flow.run.recorder.byType("aws:apigatewayv2/route:Route");
    expect(routes.map((r) => r.inputs.routeKey).sort()).to.deep.equal([
      "GET /objects",
      "GET /objects/{ref}",
      "POST /files",
    ]);
    for (const r of routes) expect(r.inputs.authorizationType).to.equal("NONE");
    const reads = grants("objects-api-objects").find((s) =>
      actionsOf(s).includes("dynamodb:Scan"),
    )!;
    expect(actionsOf(reads)).to.not.include("dynamodb:PutItem");
    expect(
      (get(FUNCTION, "objects-api-objects").inputs.environment as { variables: object }).variables,
    ).to.deep.equal({
      TABLE_NAME: get("aws:dynamodb/table:Table", "processed-objects").state.name,
      ...powertools("objects-api-objects"),
    });
  });

  it("runs its functions in the private subnets by default and exports the endpoints", () => {
    const subnetsOf = (fn: string) =>
      (get(FUNCTION, fn).inputs.vpcConfig as { subnetIds: string[] } | undefined)?.subnetIds;
    // The shared VPC's private subnets, one per AZ (azCount 2).
    expect(subnetsOf("object-ingest")).to.have.length(2);
    for (const fn of ["object-processor", "objects-api-objects", "objects-api-uploads"])
      expect(subnetsOf(fn), fn).to.deep.equal(subnetsOf("object-ingest"));
    expect(flow.run.recorder.byType("aws:ec2/vpc:Vpc")).to.have.length(1);
    const out = flow.run.outputs.s3EventsLambda as Record<string, string>;
    expect(out.objectsEndpoint).to.match(/^https:\/\/.+\/objects$/);
    expect(out.dlqUrl).to.match(
      /^https:\/\/sqs\.us-east-1\.amazonaws\.com\/\d{12}\/object-work-dlq/,
    );
  });

  it("has no policy findings (but the known VPC-role grants fixed elsewhere)", () => {
    expect(
      withoutKnownGrantFindings(stackFindings(flow.run)).map((v) => `${v.policy}: ${v.message}`),
    ).to.deep.equal([]);
  });
});

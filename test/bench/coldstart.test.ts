import { DescribeLimitsCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CloudWatchClient, ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { measureAll, parseArgs, renderTable } from "../../bench/coldstart";
import { SAMPLES } from "../../bench/coldstart/events";
import { baselineSource, median, sdkClients } from "../../bench/coldstart/measure";
import { Stub, startStub } from "../../bench/coldstart/stub";
import { FUNCTIONS_DIR, bundleFunction } from "../../components/compute/bundle";

describe("bench:coldstart", () => {
  it("parses --runs, --only and --json, and refuses the rest", () => {
    expect(parseArgs([])).to.deep.equal({ runs: 5, json: false });
    expect(parseArgs(["--runs", "3", "--json", "--only=a,b"])).to.deep.equal({
      runs: 3,
      json: true,
      only: ["a", "b"],
    });
    expect(() => parseArgs(["--runs", "0"])).to.throw(/1 to 100/);
    expect(() => parseArgs(["--fast"])).to.throw(/unexpected argument "--fast"/);
  });

  it("takes medians of odd and even counts", () => {
    expect(median([5, 1, 3])).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });

  describe("the local stub", () => {
    let stub: Stub;
    before(async () => {
      stub = await startStub();
    });
    after(() => stub.close());

    const config = () => ({
      endpoint: stub.url,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      forcePathStyle: true,
    });

    // Each protocol's client reads the answer as AccessDenied, once: no retry, no real AWS.
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      [
        "JSON (DynamoDB)",
        () => new DynamoDBClient(config()).send(new DescribeLimitsCommand({})),
        /AccessDenied/,
      ],
      [
        "REST XML (S3)",
        () => new S3Client(config()).send(new ListBucketsCommand({})),
        /AccessDenied/,
      ],
      [
        "query (SNS)",
        () => new SNSClient(config()).send(new ListTopicsCommand({})),
        /AuthorizationError/,
      ],
      [
        "CBOR (CloudWatch)",
        () => new CloudWatchClient(config()).send(new ListDashboardsCommand({})),
        /AccessDenied/,
      ],
      [
        "JSON over HTTP/2 (Kinesis)",
        () =>
          new KinesisClient({ ...config(), endpoint: stub.h2url }).send(new ListStreamsCommand({})),
        /AccessDenied/,
      ],
    ];
    for (const [protocol, call, name] of cases) {
      it(`answers ${protocol} with a 403 the client understands, once`, async () => {
        const before = stub.requests();
        const error = await call().then(
          () => undefined,
          (e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } },
        );
        expect(error?.name).to.match(name);
        expect(error?.$metadata.httpStatusCode).to.equal(403);
        expect(stub.requests() - before).to.equal(1);
      });
    }
  });

  it("builds baselines from the SDK clients a bundle carries", () => {
    const clients = sdkClients(bundleFunction("checksum-summary").code);
    expect(clients).to.deep.equal(["client-dynamodb", "client-s3"]);
    const source = baselineSource(clients);
    expect(source).to.contain('from "@aws-sdk/client-dynamodb"');
    expect(source).to.contain("new C1({}).send(new K1({}))");
  });

  it("measures a function in fresh processes: its sample reaches the SDK, and the baseline runs", async function () {
    this.timeout(120_000);
    const [r] = await measureAll(1, ["items-api"]);
    expect(r.name).to.equal("items-api");
    expect(r.bundleBytes).to.equal(bundleFunction("items-api").code.length);
    expect(r.awsCalls).to.equal(1); // GET /items/{id} is one GetItem, answered by the stub
    expect(r.refused).to.equal(0);
    expect(r.outcome).to.equal("ok"); // the handler answered (a 5xx response), it did not throw
    for (const ms of [r.initMs, r.loadMs, r.noMapsMs, r.baselineInitMs]) expect(ms).to.be.above(0);
    expect(r.loadMs).to.be.at.most(r.initMs);
    expect(renderTable([r])).to.match(/^function\s+bundle KiB.*\nitems-api\s+\d+/);
  });

  it("has a sample for every function", () => {
    const names = fs
      .readdirSync(FUNCTIONS_DIR)
      .filter((n) => fs.existsSync(path.join(FUNCTIONS_DIR, n, "handler.ts")));
    expect(Object.keys(SAMPLES).sort()).to.deep.equal(names.sort());
  });
});

import { expect } from "chai";
import {
  SecureTable,
  tableGrants,
  tableItemStatement,
  tableStreamReadStatements,
} from "../../components/data/secureTable";
import { Recorder, installMocks, valueOf } from "../../scripts/harness/recorder";

const TABLE = "aws:dynamodb/table:Table";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("SecureTable", () => {
  let rec: Recorder;
  let items: SecureTable;
  let events: SecureTable;
  before(async () => {
    rec = installMocks({ stack: "table-test" });
    items = new SecureTable("items", {
      hashKey: { name: "pk", type: "S" },
      rangeKey: { name: "sk", type: "S" },
      globalSecondaryIndexes: [
        {
          name: "byOwner",
          hashKey: { name: "owner", type: "S" },
          rangeKey: { name: "sk", type: "S" },
        },
        {
          name: "byStatus",
          hashKey: { name: "status", type: "S" },
          projectionType: "INCLUDE",
          nonKeyAttributes: ["title"],
        },
      ],
      ttlAttribute: "expiresAt",
    });
    events = new SecureTable("events", {
      hashKey: { name: "id", type: "S" },
      stream: "NEW_AND_OLD_IMAGES",
      kmsKeyArn: KEY,
      deletionProtection: false,
      transform: { table: { tableClass: "STANDARD_INFREQUENT_ACCESS" } },
    });
    await rec.settle();
  });

  const table = (name: string) => rec.get(TABLE, name);

  it("is on-demand with point-in-time recovery and encryption on", () => {
    for (const name of ["items", "events"]) {
      const t = table(name).inputs;
      expect(t.billingMode).to.equal("PAY_PER_REQUEST");
      expect(t.pointInTimeRecovery).to.deep.equal({ enabled: true });
      expect((t.serverSideEncryption as { enabled: boolean }).enabled).to.equal(true);
    }
    expect(table("events").inputs.serverSideEncryption).to.deep.equal({
      enabled: true,
      kmsKeyArn: KEY,
    });
  });

  it("protects against deletion by default, and not when told (dev)", () => {
    expect(table("items").inputs.deletionProtectionEnabled).to.equal(true);
    expect(table("events").inputs.deletionProtectionEnabled).to.equal(false);
  });

  it("declares each key attribute once with its type", () => {
    const t = table("items").inputs;
    expect(t.hashKey).to.equal("pk");
    expect(t.rangeKey).to.equal("sk");
    expect(t.attributes).to.deep.equal([
      { name: "pk", type: "S" },
      { name: "sk", type: "S" },
      { name: "owner", type: "S" },
      { name: "status", type: "S" },
    ]);
  });

  it("builds GSIs with key schemas, projecting ALL unless told otherwise", () => {
    expect(table("items").inputs.globalSecondaryIndexes).to.deep.equal([
      {
        name: "byOwner",
        keySchemas: [
          { attributeName: "owner", keyType: "HASH" },
          { attributeName: "sk", keyType: "RANGE" },
        ],
        projectionType: "ALL",
      },
      {
        name: "byStatus",
        keySchemas: [{ attributeName: "status", keyType: "HASH" }],
        projectionType: "INCLUDE",
        nonKeyAttributes: ["title"],
      },
    ]);
    expect(table("events").inputs.globalSecondaryIndexes).to.equal(undefined);
  });

  it("turns on TTL only when an attribute is named", () => {
    expect(table("items").inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
    expect(table("events").inputs.ttl).to.equal(undefined);
  });

  it("turns on the stream with the requested view and exposes its ARN", async () => {
    expect(table("events").inputs).to.deep.include({
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
    });
    expect(table("items").inputs.streamEnabled).to.equal(undefined);
    expect(items.streamArn).to.equal(undefined);
    expect(await valueOf(events.streamArn!)).to.equal(table("events").state.streamArn);
    expect(table("events").inputs.tableClass).to.equal("STANDARD_INFREQUENT_ACCESS");
  });

  it("item grant: exactly the actions named, on the table only (no index)", async () => {
    const s = tableItemStatement(items, ["GetItem", "Scan", "GetItem"]);
    expect(s.Effect).to.equal("Allow");
    expect(s.Action).to.deep.equal(["dynamodb:GetItem", "dynamodb:Scan"]);
    const resources = await Promise.all((s.Resource as string[]).map((r) => valueOf(r)));
    expect(resources).to.deep.equal([table("items").state.arn]);
    expect(() => tableItemStatement(items, [])).to.throw(/no action given/);
  });

  it("stream grant: stream reads on the stream ARN, ListStreams alone on *; refused without a stream", async () => {
    const [onStream, list] = tableStreamReadStatements(events);
    expect(onStream.Action).to.have.members([
      "dynamodb:DescribeStream",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
    ]);
    const resources = await Promise.all((onStream.Resource as string[]).map((r) => valueOf(r)));
    expect(resources).to.deep.equal([table("events").state.streamArn]);
    // The reference lists no resource type for ListStreams: on the stream ARN it never matches.
    expect(list).to.deep.equal({
      Effect: "Allow",
      Action: ["dynamodb:ListStreams"],
      Resource: ["*"],
    });
    expect(() => tableStreamReadStatements(items)).to.throw(/no stream/);
  });

  it("adds kms:Decrypt for a customer key (reads and writes alike), nothing for AWS's keys", () => {
    expect(tableGrants(items, ["PutItem"])).to.have.length(1);
    const writer = tableGrants(events, ["PutItem", "GetItem"]);
    expect(writer).to.have.length(2);
    expect(writer[1]).to.deep.equal({ Effect: "Allow", Action: ["kms:Decrypt"], Resource: [KEY] });
  });

  it("rejects inconsistent keys and indexes before creating anything", () => {
    const before = rec.resources.length;
    expect(
      () =>
        new SecureTable("bad", {
          hashKey: { name: "pk", type: "S" },
          globalSecondaryIndexes: [
            { name: "a", hashKey: { name: "pk", type: "N" } },
            { name: "a", hashKey: { name: "x", type: "S" }, nonKeyAttributes: ["y"] },
          ],
          ttlAttribute: "x",
        }),
    )
      .to.throw(/SecureTable "bad"/)
      .with.property("message")
      .that.matches(/pk are declared with different types/)
      .and.matches(/duplicate index name\(s\) a/)
      .and.matches(/nonKeyAttributes/)
      .and.matches(/ttlAttribute/);
    expect(rec.resources.length).to.equal(before);
  });
});

import { expect } from "chai";
import {
  SecureTable,
  tableGrants,
  tableReadStatement,
  tableStreamReadStatement,
  tableWriteStatement,
} from "../../components/data/secureTable";
import { Recorder, installMocks, valueOf } from "../../scripts/harness/recorder";

const TABLE = "aws:dynamodb/table:Table";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const WRITE_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
];

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

  it("read grant: read actions only, on the table and its indexes", async () => {
    const s = tableReadStatement(items);
    const arn = table("items").state.arn as string;
    expect(s.Effect).to.equal("Allow");
    expect(s.Action).to.include.members(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"]);
    expect((s.Action as string[]).filter((a) => WRITE_ACTIONS.includes(a))).to.deep.equal([]);
    const resources = await Promise.all((s.Resource as string[]).map((r) => valueOf(r)));
    expect(resources).to.deep.equal([arn, `${arn}/index/*`]);
  });

  it("write grant: item writes on the table only", async () => {
    const s = tableWriteStatement(items);
    expect(s.Action).to.have.members(WRITE_ACTIONS);
    const resources = await Promise.all((s.Resource as string[]).map((r) => valueOf(r)));
    expect(resources).to.deep.equal([table("items").state.arn]);
  });

  it("stream grant: stream reads on the stream ARN; refused for a table without a stream", async () => {
    const s = tableStreamReadStatement(events);
    expect(s.Action).to.have.members([
      "dynamodb:DescribeStream",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
      "dynamodb:ListStreams",
    ]);
    const resources = await Promise.all((s.Resource as string[]).map((r) => valueOf(r)));
    expect(resources).to.deep.equal([table("events").state.streamArn]);
    expect(() => tableStreamReadStatement(items)).to.throw(/no stream/);
  });

  it("adds KMS statements for a customer key, scoped to the access asked for", () => {
    expect(tableGrants(items, { read: true, write: true })).to.have.length(2);
    const reader = tableGrants(events, { stream: true });
    expect(reader[1]).to.deep.equal({ Effect: "Allow", Action: ["kms:Decrypt"], Resource: [KEY] });
    const writer = tableGrants(events, { read: true, write: true });
    expect(writer).to.have.length(3);
    expect(writer[2].Action).to.have.members(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]);
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

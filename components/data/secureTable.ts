import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { Statement, allow } from "../security/iam";
import { Transform, applyTransform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";

/** A key attribute and its DynamoDB scalar type (String, Number, Binary). */
export interface KeyAttribute {
  name: string;
  type: "S" | "N" | "B";
}

export interface GlobalSecondaryIndex {
  /** Index name, unique within the table. */
  name: string;
  hashKey: KeyAttribute;
  /** Default: none. */
  rangeKey?: KeyAttribute;
  /** Attributes copied into the index. Default: ALL. */
  projectionType?: "ALL" | "KEYS_ONLY" | "INCLUDE";
  /** With `INCLUDE` only: the non-key attributes to copy. Default: none. */
  nonKeyAttributes?: string[];
}

export type StreamViewType = "NEW_IMAGE" | "NEW_AND_OLD_IMAGES" | "KEYS_ONLY" | "OLD_IMAGE";

export interface SecureTableArgs {
  /** Partition key. Required. */
  hashKey: KeyAttribute;
  /** Sort key. Default: none. */
  rangeKey?: KeyAttribute;
  /** Global secondary indexes (on-demand, like the table). Default: none. */
  globalSecondaryIndexes?: GlobalSecondaryIndex[];
  /** Number attribute holding an epoch-seconds expiry; DynamoDB deletes expired items. Default: no TTL. */
  ttlAttribute?: string;
  /** Turn on DynamoDB Streams with this view of each change. Default: no stream. */
  stream?: StreamViewType;
  /** Customer-managed KMS key. Default: the AWS-managed key `aws/dynamodb`. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Refuse DeleteTable until turned off. Default: true (flows pass false in dev). */
  deletionProtection?: boolean;
  /**
   * Keep the table in AWS when it is removed from the program, replaced or destroyed (Pulumi
   * `retainOnDelete`): `pulumi destroy` then leaves the data behind. Default: false (flows set it
   * outside dev).
   */
  retainOnDelete?: boolean;
  /** Override hooks. Default: none. */
  transform?: { table?: Transform<aws.dynamodb.TableArgs> };
}

/** What the grant helpers need: a `SecureTable` or any table described by its ARNs. */
export interface TableRef {
  arn: pulumi.Input<string>;
  streamArn?: pulumi.Input<string>;
  kmsKeyArn?: pulumi.Input<string>;
}

const MAX_GSIS = 20;

/**
 * A DynamoDB table that is on-demand, encrypted, recoverable to any second of the last 35 days
 * (point-in-time recovery) and protected from deletion by default.
 */
export class SecureTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  /** The stream's ARN; undefined without `stream`. */
  readonly streamArn?: pulumi.Output<string>;
  /** The customer-managed key, if any (the grant helpers add KMS statements for it). */
  readonly kmsKeyArn?: pulumi.Input<string>;
  private readonly logicalName: string;

  constructor(name: string, args: SecureTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:data:SecureTable", name, {}, opts);
    const gsis = args.globalSecondaryIndexes ?? [];
    const keys = [
      args.hashKey,
      ...(args.rangeKey ? [args.rangeKey] : []),
      ...gsis.flatMap((g) => [g.hashKey, ...(g.rangeKey ? [g.rangeKey] : [])]),
    ];
    const types = new Map<string, Set<string>>();
    for (const k of keys) types.set(k.name, (types.get(k.name) ?? new Set()).add(k.type));
    const conflicting = [...types].filter(([, t]) => t.size > 1).map(([n]) => n);
    const indexNames = gsis.map((g) => g.name);
    const duplicateIndexes = indexNames.filter((n, i) => indexNames.indexOf(n) !== i);
    const includeProblems = gsis.filter(
      (g) => (g.projectionType === "INCLUDE") !== (g.nonKeyAttributes?.length ?? 0) > 0,
    );
    const ttlKeyType = args.ttlAttribute ? types.get(args.ttlAttribute) : undefined;

    new ArgumentErrors("SecureTable", name)
      .check(
        conflicting.length === 0,
        "hashKey/rangeKey/globalSecondaryIndexes",
        `attribute(s) ${conflicting.join(", ")} are declared with different types`,
        "give each attribute one type everywhere it is a key",
      )
      .check(
        duplicateIndexes.length === 0,
        "globalSecondaryIndexes",
        `duplicate index name(s) ${[...new Set(duplicateIndexes)].join(", ")}`,
        "name each index once",
      )
      .check(
        gsis.length <= MAX_GSIS,
        "globalSecondaryIndexes",
        `${gsis.length} indexes exceed DynamoDB's ${MAX_GSIS}`,
        "merge or drop indexes",
      )
      .check(
        includeProblems.length === 0,
        "globalSecondaryIndexes",
        `index(es) ${includeProblems.map((g) => g.name).join(", ")} mix nonKeyAttributes and projectionType`,
        'list nonKeyAttributes exactly when projectionType is "INCLUDE"',
      )
      .check(
        ttlKeyType === undefined || (ttlKeyType.size === 1 && ttlKeyType.has("N")),
        "ttlAttribute",
        `${args.ttlAttribute} is a key attribute that is not a Number, so it can never expire items`,
        "use a Number attribute holding epoch seconds",
      )
      .throwIfAny();
    this.kmsKeyArn = args.kmsKeyArn;
    this.logicalName = name;

    this.table = new aws.dynamodb.Table(
      name,
      applyTransform<aws.dynamodb.TableArgs>(
        {
          billingMode: "PAY_PER_REQUEST",
          hashKey: args.hashKey.name,
          rangeKey: args.rangeKey?.name,
          attributes: [...types].map(([n, t]) => ({ name: n, type: [...t][0] })),
          globalSecondaryIndexes: gsis.length
            ? gsis.map((g) => ({
                name: g.name,
                keySchemas: [
                  { attributeName: g.hashKey.name, keyType: "HASH" },
                  ...(g.rangeKey ? [{ attributeName: g.rangeKey.name, keyType: "RANGE" }] : []),
                ],
                projectionType: g.projectionType ?? "ALL",
                nonKeyAttributes: g.nonKeyAttributes,
              }))
            : undefined,
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
          deletionProtectionEnabled: args.deletionProtection ?? true,
          ttl: args.ttlAttribute ? { attributeName: args.ttlAttribute, enabled: true } : undefined,
          ...(args.stream ? { streamEnabled: true, streamViewType: args.stream } : {}),
        },
        args.transform?.table,
        name,
      ),
      { parent: this, retainOnDelete: args.retainOnDelete },
    );
    this.arn = this.table.arn;
    this.name = this.table.name;
    if (args.stream) this.streamArn = this.table.streamArn;
    this.registerOutputs({ arn: this.arn, name: this.name, streamArn: this.streamArn });
  }

  /** Dashboard row: consumed read/write capacity and throttled reads/writes. */
  widgets(title = `Table ${this.logicalName}`): DashboardRow[] {
    const m = (metricName: string, label: string) =>
      metric("AWS/DynamoDB", metricName, { TableName: this.table.name }, { label });
    return [
      {
        title,
        widgets: [
          {
            title: "Consumed capacity units",
            lines: [
              m("ConsumedReadCapacityUnits", "read"),
              m("ConsumedWriteCapacityUnits", "write"),
            ],
          },
          {
            title: "Throttled requests",
            lines: [m("ReadThrottleEvents", "reads"), m("WriteThrottleEvents", "writes")],
          },
        ],
      },
    ];
  }
}

/**
 * The item-level DynamoDB actions a function may be granted on a table: name exactly those its
 * code calls (lib-dynamodb's `Put` is `PutItem`, `BatchWrite` is `BatchWriteItem`, ...).
 */
export type TableAction =
  | "GetItem"
  | "BatchGetItem"
  | "Query"
  | "Scan"
  | "PutItem"
  | "UpdateItem"
  | "DeleteItem"
  | "BatchWriteItem"
  | "ConditionCheckItem";

/** Exactly `actions` on the table itself (no index: no function queries one). */
export function tableItemStatement(table: TableRef, actions: readonly TableAction[]): Statement {
  if (actions.length === 0) {
    throw new Error("tableItemStatement: no action given (fix: list the actions the code calls)");
  }
  return allow(
    [...new Set(actions)].map((a) => `dynamodb:${a}`),
    [table.arn],
  );
}

/**
 * Consume the table's stream, as Lambda's event source mapping does
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions):
 * ListStreams supports no resource type, so it stands alone on "*".
 */
export function tableStreamReadStatements(table: TableRef): Statement[] {
  if (!table.streamArn) {
    throw new Error("tableStreamReadStatements: the table has no stream (fix: set `stream` on it)");
  }
  return [
    allow(
      ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
      [table.streamArn],
    ),
    allow(["dynamodb:ListStreams"], ["*"]),
  ];
}

/**
 * KMS statement a principal needs on a table encrypted with a customer-managed key. DynamoDB
 * encrypts items with a table key that it decrypts with the caller's permission, for reads and
 * writes alike, so Decrypt is the one action
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html).
 * None for AWS-owned or AWS-managed keys.
 */
export function tableKeyStatements(table: TableRef): Statement[] {
  return table.kmsKeyArn ? [allow(["kms:Decrypt"], [table.kmsKeyArn])] : [];
}

/** Exactly `actions` on the table, plus its key's Decrypt: the one call most grants need. */
export function tableGrants(table: TableRef, actions: readonly TableAction[]): Statement[] {
  return [tableItemStatement(table, actions), ...tableKeyStatements(table)];
}

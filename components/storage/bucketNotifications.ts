import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement, allowServiceToSend, fromSource } from "../security/iam";
import { transform, Transforms } from "../core/transform";
import { ArgumentErrors } from "../core/validate";

/** The event types S3 can notify about (`:*` covers a family). */
export type S3EventType =
  | "s3:ObjectCreated:*"
  | "s3:ObjectCreated:Put"
  | "s3:ObjectCreated:Post"
  | "s3:ObjectCreated:Copy"
  | "s3:ObjectCreated:CompleteMultipartUpload"
  | "s3:ObjectRemoved:*"
  | "s3:ObjectRemoved:Delete"
  | "s3:ObjectRemoved:DeleteMarkerCreated"
  | "s3:ObjectRestore:*"
  | "s3:ObjectRestore:Post"
  | "s3:ObjectRestore:Completed"
  | "s3:ObjectRestore:Delete"
  | "s3:ObjectTagging:*"
  | "s3:ObjectTagging:Put"
  | "s3:ObjectTagging:Delete"
  | "s3:ObjectAcl:Put"
  | "s3:LifecycleExpiration:*"
  | "s3:LifecycleExpiration:Delete"
  | "s3:LifecycleExpiration:DeleteMarkerCreated"
  | "s3:LifecycleTransition"
  | "s3:IntelligentTiering"
  | "s3:Replication:*"
  | "s3:Replication:OperationFailedReplication"
  | "s3:Replication:OperationMissedThreshold"
  | "s3:Replication:OperationReplicatedAfterThreshold"
  | "s3:Replication:OperationNotTracked"
  | "s3:ReducedRedundancyLostObject";

/** Which objects and events reach one target. */
export interface NotificationFilter {
  /** Events delivered to the target. Required (at least one). */
  events: S3EventType[];
  /**
   * Only keys starting with this.
   * @default every key
   */
  filterPrefix?: string;
  /**
   * Only keys ending with this (e.g. `.jpg`).
   * @default every key
   */
  filterSuffix?: string;
  /**
   * Configuration id, unique per bucket; also names the Lambda permission.
   * @default `<kind>-<index>`
   */
  id?: string;
  /**
   * Resources S3 validates when the configuration is saved (e.g. the topic or queue policy that
   * lets S3 publish). The notification waits for them.
   * @default none
   */
  dependsOn?: pulumi.Resource[];
}

export interface TopicTarget extends NotificationFilter {
  /** Standard (not FIFO) SNS topic whose policy lets S3 publish (see `allowS3ToPublish`). */
  topicArn: pulumi.Input<string>;
}

export interface QueueTarget extends NotificationFilter {
  /** Standard (not FIFO) SQS queue whose policy lets S3 send (see `allowS3ToPublish`). */
  queueArn: pulumi.Input<string>;
}

export interface FunctionTarget extends NotificationFilter {
  /** Lambda function ARN; this component grants S3 permission to invoke it. */
  functionArn: pulumi.Input<string>;
}

export interface BucketNotificationsArgs {
  /** The bucket (a `SecureBucket` fits): its name and ARN. Required. */
  bucket: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /**
   * SNS topics to notify.
   * @default none
   */
  topics?: TopicTarget[];
  /**
   * SQS queues to notify.
   * @default none
   */
  queues?: QueueTarget[];
  /**
   * Lambda functions to invoke.
   * @default none
   */
  functions?: FunctionTarget[];
  /**
   * Also send every event to EventBridge.
   * @default false
   */
  eventBridge?: boolean;
  /**
   * Account owning the bucket, for the Lambda permissions.
   * @default the deploying account
   */
  sourceAccount?: pulumi.Input<string>;
  /**
   * Override hooks, one per child kind.
   * @default none
   */
  transform?: Transforms<{
    notification: aws.s3.BucketNotificationArgs;
    permission: aws.lambda.PermissionArgs;
  }>;
}

/**
 * Resource-policy statement letting S3 deliver `bucketArn`'s events to a topic or a queue. Bucket
 * ARNs name no account, so the account condition is what stops another account's bucket of the
 * same name from publishing.
 */
export function allowS3ToPublish(
  target: { topicArn: pulumi.Input<string> } | { queueArn: pulumi.Input<string> },
  bucketArn: pulumi.Input<string>,
  account: pulumi.Input<string>,
): Statement {
  if ("queueArn" in target) {
    return allowServiceToSend("s3.amazonaws.com", target.queueArn, bucketArn, account);
  }
  return {
    Effect: "Allow",
    Principal: { Service: "s3.amazonaws.com" },
    Action: "sns:Publish",
    Resource: target.topicArn,
    Condition: fromSource(bucketArn, account),
  };
}

/** The event family (`s3:ObjectCreated`) and whether the event is the family wildcard. */
function family(event: string): { family: string; wildcard: boolean } {
  const parts = event.split(":");
  return { family: parts.slice(0, 2).join(":"), wildcard: parts[2] === "*" };
}

function eventsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const fa = family(a);
  const fb = family(b);
  return fa.family === fb.family && (fa.wildcard || fb.wildcard);
}

/**
 * S3 rejects two configurations that share an event type unless their prefixes or their suffixes
 * cannot both match one key. Returns a description of each clash.
 */
export function overlappingFilters(targets: (NotificationFilter & { label: string })[]): string[] {
  const clashes: string[] = [];
  for (let i = 0; i < targets.length; i++) {
    for (let j = i + 1; j < targets.length; j++) {
      const a = targets[i];
      const b = targets[j];
      const shared = a.events.filter((e) => b.events.some((f) => eventsOverlap(e, f)));
      if (shared.length === 0) continue;
      const [pa, pb] = [a.filterPrefix ?? "", b.filterPrefix ?? ""];
      const [sa, sb] = [a.filterSuffix ?? "", b.filterSuffix ?? ""];
      const prefixes = pa.startsWith(pb) || pb.startsWith(pa);
      const suffixes = sa.endsWith(sb) || sb.endsWith(sa);
      if (prefixes && suffixes) {
        clashes.push(
          `${a.label} and ${b.label} both match ${shared.join(", ")} on overlapping keys`,
        );
      }
    }
  }
  return clashes;
}

/**
 * The one notification configuration of a bucket (S3 keeps a single one: a second resource would
 * silently replace the first), holding every topic, queue and function target. Lambda targets
 * get their invoke permission here; the configuration waits for it and for every target's
 * `dependsOn`, because S3 test-delivers to each destination when the configuration is saved.
 */
export class BucketNotifications extends pulumi.ComponentResource {
  readonly notification: aws.s3.BucketNotification;
  /** One invoke permission per function target, in order. */
  readonly permissions: aws.lambda.Permission[];

  constructor(name: string, args: BucketNotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:storage:BucketNotifications", name, {}, opts);
    const topics = (args.topics ?? []).map((t, i) => ({ ...t, id: t.id ?? `topic-${i}` }));
    const queues = (args.queues ?? []).map((q, i) => ({ ...q, id: q.id ?? `queue-${i}` }));
    const functions = (args.functions ?? []).map((f, i) => ({ ...f, id: f.id ?? `function-${i}` }));
    const all = [...topics, ...queues, ...functions].map((t) => ({ ...t, label: `"${t.id}"` }));
    const ids = all.map((t) => t.id);
    const duplicateIds = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    const noEvents = all.filter((t) => t.events.length === 0).map((t) => t.label);
    const fifo = [
      ...topics.map((t) => ({ id: t.id, arn: t.topicArn })),
      ...queues.map((q) => ({ id: q.id, arn: q.queueArn })),
    ]
      .filter((t) => typeof t.arn === "string" && t.arn.endsWith(".fifo"))
      .map((t) => t.id);
    const clashes = overlappingFilters(all);

    new ArgumentErrors("BucketNotifications", name)
      .check(
        all.length > 0 || args.eventBridge === true,
        "topics/queues/functions",
        "no target given",
        "add at least one topic, queue or function (or eventBridge: true)",
      )
      .check(
        noEvents.length === 0,
        "events",
        `target(s) ${noEvents.join(", ")} list no event`,
        'name events such as "s3:ObjectCreated:*"',
      )
      .check(
        duplicateIds.length === 0,
        "id",
        `duplicate id(s) ${duplicateIds.join(", ")}`,
        "give each target its own id",
      )
      .check(
        fifo.length === 0,
        "topics/queues",
        `target(s) ${fifo.join(", ")} are FIFO, which S3 cannot deliver to`,
        "use a standard topic or queue",
      )
      .check(
        clashes.length === 0,
        "filterPrefix/filterSuffix",
        clashes.join("; "),
        "make the prefixes or suffixes of targets sharing an event type disjoint",
      )
      .throwIfAny();

    const sourceAccount =
      args.sourceAccount ??
      (functions.length > 0
        ? aws.getCallerIdentityOutput({}, { parent: this }).accountId
        : undefined);
    this.permissions = functions.map(
      (f) =>
        new aws.lambda.Permission(
          ...transform(
            args.transform?.permission,
            `${name}-${f.id}`,
            {
              function: f.functionArn,
              action: "lambda:InvokeFunction",
              principal: "s3.amazonaws.com",
              sourceArn: args.bucket.arn,
              sourceAccount,
            },
            { parent: this },
          ),
        ),
    );

    const filter = (t: NotificationFilter & { id: string }) => ({
      id: t.id,
      events: t.events,
      filterPrefix: t.filterPrefix,
      filterSuffix: t.filterSuffix,
    });
    this.notification = new aws.s3.BucketNotification(
      ...transform(
        args.transform?.notification,
        name,
        {
          bucket: args.bucket.name,
          topics: topics.length
            ? topics.map((t) => ({ ...filter(t), topicArn: t.topicArn }))
            : undefined,
          queues: queues.length
            ? queues.map((q) => ({ ...filter(q), queueArn: q.queueArn }))
            : undefined,
          lambdaFunctions: functions.length
            ? functions.map((f) => ({ ...filter(f), lambdaFunctionArn: f.functionArn }))
            : undefined,
          eventbridge: args.eventBridge || undefined,
        },
        {
          parent: this,
          dependsOn: [...this.permissions, ...all.flatMap((t) => t.dependsOn ?? [])],
        },
      ),
    );
    this.registerOutputs({});
  }
}

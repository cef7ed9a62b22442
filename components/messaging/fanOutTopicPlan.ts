import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_TIMEOUT_SECONDS, VISIBILITY_TIMEOUT_FACTOR } from "../core/defaults";
import { ArgumentErrors } from "../core/validate";
import { Statement } from "../security/iam";
import type { KeyUser } from "../security/kmsKey";
import { allowS3ToPublish } from "../storage/bucketNotifications";
import type { TopicTarget } from "../storage/bucketNotifications";
import { checkConsumer } from "../compute/queueConsumer";
import { fromSource } from "./secureQueue";
import type { BucketPublisher, FanOutSubscriberArgs, FanOutTopicArgs } from "./fanOutTopicArgs";

const SUBSCRIBER_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** A subscriber queue's visibility timeout: given, or 6x its consumer's timeout, or 30 s. */
export function visibilityFor(sub: FanOutSubscriberArgs): number {
  if (sub.visibilityTimeoutSeconds !== undefined) return sub.visibilityTimeoutSeconds;
  return sub.consumer
    ? VISIBILITY_TIMEOUT_FACTOR * (sub.consumer.timeout ?? LAMBDA_TIMEOUT_SECONDS)
    : 30;
}

/** `My.Service` -> `MyService`: a Sid fragment (Sids allow only letters and digits). */
export const sid = (s: string) => s.replace(/[^A-Za-z0-9]/g, "");

/** Throws one Error listing every problem with a FanOutTopic's args. */
export function validateFanOutTopic(name: string, args: FanOutTopicArgs): void {
  const subscriberNames = Object.keys(args.subscribers ?? {});
  const buckets = args.publishers?.buckets ?? [];
  const fifo = args.fifo ?? false;
  const errors = new ArgumentErrors("FanOutTopic", name)
    .check(
      subscriberNames.length > 0,
      "subscribers",
      "no subscriber given",
      "name at least one subscriber, e.g. { indexer: {} }",
    )
    .check(
      !fifo || buckets.length === 0,
      "publishers.buckets",
      "S3 cannot publish to a FIFO topic",
      "use a standard topic (fifo: false) for bucket events",
    )
    .check(
      !args.contentBasedDeduplication || fifo,
      "contentBasedDeduplication",
      "only FIFO topics deduplicate",
      "set fifo: true or drop contentBasedDeduplication",
    );
  buckets.forEach((b, i) =>
    errors.check(
      b.events.length > 0,
      `publishers.buckets[${i}].events`,
      "lists no event",
      'name events such as "s3:ObjectCreated:*"',
    ),
  );
  for (const [sub, s] of Object.entries(args.subscribers ?? {})) {
    const field = `subscribers.${sub}`;
    errors
      .check(
        SUBSCRIBER_NAME.test(sub),
        field,
        `"${sub}" is not a valid subscriber name`,
        "use 1-40 lowercase letters, digits and dashes, starting with a letter or digit",
      )
      .check(
        s.filterPolicyScope === undefined || s.filterPolicy !== undefined,
        `${field}.filterPolicyScope`,
        "is set without a filterPolicy",
        "add a filterPolicy or drop filterPolicyScope",
      )
      .check(
        s.filterPolicy === undefined || Object.keys(s.filterPolicy).length > 0,
        `${field}.filterPolicy`,
        "is empty (SNS rejects it)",
        "omit it to receive every message",
      );
    if (s.consumer) {
      checkConsumer(errors, `${field}.consumer`, s.consumer, {
        visibilityTimeoutSeconds: visibilityFor(s),
        fifo,
      });
    }
  }
  errors.throwIfAny();
}

/**
 * Who may use the topic key: S3 for the publishing buckets, each publishing service for its
 * source ARNs.
 */
export function topicKeyUsers(args: FanOutTopicArgs): KeyUser[] {
  const buckets = args.publishers?.buckets ?? [];
  const services = args.publishers?.services ?? [];
  const bucketArns = [...new Set(buckets.map((b) => b.bucket))].map((b) => b.arn);
  const topicKeyUsers: KeyUser[] = [];
  if (bucketArns.length > 0) {
    // S3 documents this key grant without conditions: when it encrypts a notification it is not
    // known to send aws:SourceArn/SourceAccount to KMS, and a condition it cannot meet would make
    // S3 reject the notification configuration. The queue/topic policy limits the source bucket.
    topicKeyUsers.push({ service: "s3.amazonaws.com", condition: "none" });
  }
  const byService = new Set(services.map((p) => p.service));
  // AWS's documented key statement for services publishing to an encrypted topic has no
  // condition (sns-key-management.html#compatibility-with-aws-services); the topic policy
  // limits each service to its sources (`aws:SourceArn`).
  for (const service of byService) topicKeyUsers.push({ service });
  return topicKeyUsers;
}

/** The topic policy's grants: each bucket, service (by source ARN) and principal may publish. */
export function topicPublishStatements(
  args: FanOutTopicArgs,
  topicArn: pulumi.Input<string>,
  account: pulumi.Input<string>,
): pulumi.Input<Statement>[] {
  const buckets = args.publishers?.buckets ?? [];
  const services = args.publishers?.services ?? [];
  const principals = args.publishers?.principals ?? [];
  const publishStatements: pulumi.Input<Statement>[] = [
    ...[...new Set(buckets.map((b) => b.bucket))].map((b, i): Statement => ({
      Sid: `S3Publishes${i}`,
      ...allowS3ToPublish({ topicArn }, b.arn, account),
    })),
    ...services.map((p, i): Statement => ({
      Sid: `${sid(p.service.split(".")[0])}Publishes${i}`,
      Effect: "Allow",
      Principal: { Service: p.service },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: fromSource(p.sourceArn, account),
    })),
    ...(principals.length > 0
      ? [
          {
            Sid: "PrincipalsPublish",
            Effect: "Allow" as const,
            Principal: { AWS: principals },
            Action: "sns:Publish",
            Resource: topicArn,
          },
        ]
      : []),
  ];
  return publishStatements;
}

/** The topic targets per publishing bucket, one entry per bucket in the order first named. */
export function planBucketTargets(
  name: string,
  buckets: BucketPublisher[],
  topicArn: pulumi.Input<string>,
  dependsOn: pulumi.Resource[],
): { bucket: BucketPublisher["bucket"]; targets: TopicTarget[] }[] {
  const targets: { bucket: BucketPublisher["bucket"]; targets: TopicTarget[] }[] = [];
  for (const b of buckets) {
    let entry = targets.find((t) => t.bucket === b.bucket);
    if (!entry) {
      entry = { bucket: b.bucket, targets: [] };
      targets.push(entry);
    }
    entry.targets.push({
      events: b.events,
      filterPrefix: b.filterPrefix,
      filterSuffix: b.filterSuffix,
      id: b.id ?? `${name}-${entry.targets.length}`,
      topicArn,
      // S3 test-publishes when the configuration is saved: the grants must be in place.
      dependsOn,
    });
  }
  return targets;
}

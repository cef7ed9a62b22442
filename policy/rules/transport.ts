import * as aws from "@pulumi/aws";
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import {
  type PolicyStatement,
  coversAction,
  coversResource,
  deniesInsecureTransport,
  statementsOf,
} from "./documents";
import { type ResourceClass, ofType, ownPolicy, pointsAt, prop, str } from "./graph";
import { type Rule, UNKNOWN } from "./util";

/** What a TLS-only rule checks for one kind of resource. */
interface TlsTarget {
  /** What the messages call it ("Queue", "Topic", "Bucket"). */
  noun: string;
  types: ResourceClass[];
  /** Policy resources and the property naming their target. */
  policy: { type: ResourceClass; key: string; name: string };
  /** Actions the Deny must cover: the data plane at least. */
  actions: string[];
  /** ARNs the Deny must cover, from the target's ARN. */
  arns: (arn: string) => string[];
  /** What to write, for the message. */
  fix: string;
}

/** The policy documents in force on `target`; UNKNOWN when that cannot be decided yet. */
function documentsOf(
  target: PolicyResource,
  spec: TlsTarget,
  resources: readonly PolicyResource[],
): { documents: unknown[]; policies: PolicyResource[] } | typeof UNKNOWN {
  const policies: PolicyResource[] = [];
  for (const p of ofType(resources, spec.policy.type)) {
    const hit = pointsAt(p, spec.policy.key, target);
    // A policy whose target is unknown may be this one's: decide on `up`.
    if (hit === undefined) return UNKNOWN;
    if (hit) policies.push(p);
  }
  const documents = [...policies.map((p) => prop(p, "policy")), ownPolicy(target)].filter(
    (d) => d !== undefined && d !== "",
  );
  if (documents.includes(UNKNOWN)) return UNKNOWN;
  return { documents, policies };
}

function checkTls(spec: TlsTarget, args: StackValidationArgs, report: ReportViolation): void {
  for (const target of ofType(args.resources, ...spec.types)) {
    const found = documentsOf(target, spec, args.resources);
    if (found === UNKNOWN) continue;
    const arn = str(target, "arn");
    if (arn === UNKNOWN) continue;
    if (found.policies.length > 1) {
      report(
        `${spec.noun} ${target.name} is the target of ${found.policies.length} ${spec.policy.name} resources ` +
          `(${found.policies.map((p) => p.name).join(", ")}); AWS keeps one document per ${spec.noun.toLowerCase()}, ` +
          "so each update replaces the other's statements. Merge them into one.",
        target.urn,
      );
    }
    const statements: PolicyStatement[] = found.documents.flatMap((d) => statementsOf(d) ?? []);
    const guarded = statements.some(
      (s) =>
        deniesInsecureTransport(s) &&
        spec.actions.every((a) => coversAction(s, a)) &&
        (arn === undefined || spec.arns(arn).every((a) => coversResource(s, a))),
    );
    if (guarded) continue;
    report(
      `${spec.noun} ${target.name} has ${found.documents.length === 0 ? "no resource policy" : "no policy statement"} ` +
        `denying requests sent without TLS; ${spec.fix}`,
      target.urn,
    );
  }
}

function tlsRule(name: string, description: string, spec: TlsTarget): Rule {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => checkTls(spec, args, report),
  };
}

const denyHint = (policy: string, actions: string, covers: string) =>
  `add a ${policy} with { Effect: "Deny", Principal: "*", Action: "${actions}", Resource: ${covers}, ` +
  'Condition: { Bool: { "aws:SecureTransport": "false" } } } (denyInsecureTransport in components/security/iam.ts).';

/** SQS accepts plain HTTP unless the queue policy refuses it. */
export const sqsQueueTlsOnly = tlsRule(
  "sqs-queue-tls-only",
  "Every SQS queue has a queue policy that denies requests without TLS (aws:SecureTransport false).",
  {
    noun: "Queue",
    types: [aws.sqs.Queue],
    policy: { type: aws.sqs.QueuePolicy, key: "queueUrl", name: "QueuePolicy" },
    actions: ["sqs:SendMessage", "sqs:ReceiveMessage"],
    arns: (arn) => [arn],
    fix: denyHint("QueuePolicy", "sqs:*", "<queue ARN>"),
  },
);

/** SNS topic policies: AWS documents the TLS guard on sns:Publish. */
export const snsTopicTlsOnly = tlsRule(
  "sns-topic-tls-only",
  "Every SNS topic has a topic policy that denies publishing without TLS (aws:SecureTransport false).",
  {
    noun: "Topic",
    types: [aws.sns.Topic],
    policy: { type: aws.sns.TopicPolicy, key: "arn", name: "TopicPolicy" },
    actions: ["sns:Publish"],
    arns: (arn) => [arn],
    fix: denyHint("TopicPolicy", "sns:Publish", "<topic ARN>"),
  },
);

/** S3 serves plain HTTP unless the bucket policy refuses it, for the bucket and every object. */
export const s3BucketTlsOnly = tlsRule(
  "s3-bucket-tls-only",
  "Every S3 bucket has a bucket policy that denies requests without TLS, on the bucket and its objects.",
  {
    noun: "Bucket",
    types: [aws.s3.Bucket, aws.s3.BucketV2],
    policy: { type: aws.s3.BucketPolicy, key: "bucket", name: "BucketPolicy" },
    actions: ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
    arns: (arn) => [arn, `${arn}/*`],
    fix: denyHint("BucketPolicy", "s3:*", "[<bucket ARN>, <bucket ARN>/*]"),
  },
);

export const TRANSPORT_RULES: Rule[] = [sqsQueueTlsOnly, snsTopicTlsOnly, s3BucketTlsOnly];

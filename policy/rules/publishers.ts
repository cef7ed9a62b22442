/**
 * Wiring rules: when an AWS service delivers to a queue, topic or function of the stack (SNS to a
 * subscribed queue, S3 event notifications, CloudWatch alarm actions, EventBridge targets), the
 * destination's resource policy and its KMS key must let that service in, limited to the source.
 * AWS accepts the wiring either way and then drops every message (or fails `pulumi up`, for S3).
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import {
  type PolicyStatement,
  conditionHolds,
  coversAction,
  coversResource,
  globMatch,
  includesService,
  statementsOf,
} from "./documents";
import {
  arnParts,
  findFunction,
  jsonObject,
  ofType,
  ownPolicy,
  pointsAt,
  prop,
  resolve,
  str,
  targeting,
} from "./graph";
import { type Rule, UNKNOWN, asArray } from "./util";

type Kind = "queue" | "topic" | "function";

/** One delivery path: `service` sends from `sourceArn` to `target`, configured by `via`. */
interface Wire {
  service: string;
  sourceArn: string;
  target: PolicyResource;
  kind: Kind;
  via: PolicyResource;
}

const SEND_ACTION: Record<Exclude<Kind, "function">, string> = {
  queue: "sqs:SendMessage",
  topic: "sns:Publish",
};

/** Every delivery path of the stack whose ends are known. */
function wires(resources: readonly PolicyResource[]): Wire[] {
  const out: Wire[] = [];
  const functions = ofType(resources, aws.lambda.Function);
  const to = (
    service: string,
    sourceArn: unknown,
    ref: unknown,
    via: PolicyResource,
    kinds: Kind[],
  ) => {
    if (typeof sourceArn !== "string" || typeof ref !== "string") return;
    const target =
      (kinds.includes("queue") ? resolve(resources, ref, aws.sqs.Queue)[0] : undefined) ??
      (kinds.includes("topic") ? resolve(resources, ref, aws.sns.Topic)[0] : undefined) ??
      (kinds.includes("function") ? findFunction(functions, ref) : undefined);
    if (!target) return;
    const kind: Kind = target.isType(aws.sqs.Queue)
      ? "queue"
      : target.isType(aws.sns.Topic)
        ? "topic"
        : "function";
    out.push({ service, sourceArn, target, kind, via });
  };

  // SNS delivers to subscribed queues and functions, and failed deliveries to the subscription's DLQ.
  for (const sub of ofType(resources, aws.sns.TopicSubscription)) {
    const topic = str(sub, "topic");
    const protocol = str(sub, "protocol");
    if (protocol === "sqs" || protocol === "lambda") {
      to("sns.amazonaws.com", topic, str(sub, "endpoint"), sub, [
        protocol === "sqs" ? "queue" : "function",
      ]);
    }
    const dlq = jsonObject(prop(sub, "redrivePolicy"))?.deadLetterTargetArn;
    to("sns.amazonaws.com", topic, dlq, sub, ["queue"]);
  }

  // S3 event notifications: the source is the bucket's ARN.
  for (const n of ofType(resources, aws.s3.BucketNotification)) {
    const name = str(n, "bucket");
    if (typeof name !== "string") continue;
    const [bucket] = resolve(resources, name, aws.s3.Bucket, aws.s3.BucketV2);
    const arn = (bucket && str(bucket, "arn")) || `arn:aws:s3:::${name}`;
    const entries = (key: string, field: string) => {
      const list = prop(n, key);
      return list === UNKNOWN
        ? []
        : asArray(list as Record<string, unknown>[]).map((e) => e[field]);
    };
    for (const q of entries("queues", "queueArn")) to("s3.amazonaws.com", arn, q, n, ["queue"]);
    for (const t of entries("topics", "topicArn")) to("s3.amazonaws.com", arn, t, n, ["topic"]);
    for (const f of entries("lambdaFunctions", "lambdaFunctionArn")) {
      to("s3.amazonaws.com", arn, f, n, ["function"]);
    }
  }

  // CloudWatch alarms publish their state changes to SNS topics.
  for (const alarm of ofType(
    resources,
    aws.cloudwatch.MetricAlarm,
    aws.cloudwatch.CompositeAlarm,
  )) {
    const arn = str(alarm, "arn");
    for (const key of ["alarmActions", "okActions", "insufficientDataActions"]) {
      const actions = prop(alarm, key);
      if (actions === UNKNOWN) continue;
      for (const action of asArray(actions))
        to("cloudwatch.amazonaws.com", arn, action, alarm, ["topic"]);
    }
  }

  // EventBridge rules deliver to queues, topics and functions through their resource policies.
  for (const target of ofType(resources, aws.cloudwatch.EventTarget)) {
    const [rule] = resolve(resources, str(target, "rule"), aws.cloudwatch.EventRule);
    if (!rule) continue;
    to("events.amazonaws.com", str(rule, "arn"), str(target, "arn"), target, [
      "queue",
      "topic",
      "function",
    ]);
  }
  return out;
}

/** What a resource policy makes of one wire. */
type Verdict = "allowed" | "unlimited" | "denied" | "unknown";

/** Does a statement's aws:SourceArn / aws:SourceAccount condition admit the wire's source? */
function admits(s: PolicyStatement, w: Wire, targetArn: string | undefined): boolean | undefined {
  // S3 ARNs carry no account: the bucket owner is the stack's account, the destination's.
  const account =
    arnParts(w.sourceArn)?.account || (targetArn ? arnParts(targetArn)?.account : undefined);
  if (account && conditionHolds(s, "aws:SourceAccount", account) === false) return false;
  if (account && conditionHolds(s, "aws:SourceOwner", account) === false) return false;
  return conditionHolds(s, "aws:SourceArn", w.sourceArn);
}

/** The policy documents in force on a queue or topic; UNKNOWN while undecidable. */
function resourceDocuments(
  target: PolicyResource,
  kind: Exclude<Kind, "function">,
  resources: readonly PolicyResource[],
): unknown[] | typeof UNKNOWN {
  const policies =
    kind === "queue"
      ? targeting(resources, target, "queueUrl", aws.sqs.QueuePolicy)
      : targeting(resources, target, "arn", aws.sns.TopicPolicy);
  if (policies === UNKNOWN) return UNKNOWN;
  const docs = [...policies.map((p) => prop(p, "policy")), ownPolicy(target)].filter(
    (d) => d !== undefined && d !== "",
  );
  return docs.includes(UNKNOWN) ? UNKNOWN : docs;
}

function judgeResourcePolicy(w: Wire, resources: readonly PolicyResource[]): Verdict {
  if (w.kind === "function") return judgePermission(w, resources);
  const docs = resourceDocuments(w.target, w.kind, resources);
  if (docs === UNKNOWN) return "unknown";
  const arn = str(w.target, "arn");
  if (arn === UNKNOWN) return "unknown";
  // With no policy of its own a topic keeps SNS's default, which lets the account's alarms publish.
  if (docs.length === 0 && w.kind === "topic" && w.service === "cloudwatch.amazonaws.com") {
    return "allowed";
  }
  let verdict: Verdict = "denied";
  for (const s of docs.flatMap((d) => statementsOf(d) ?? [])) {
    if (s.Effect !== "Allow" || !includesService(s.Principal, w.service)) continue;
    if (!coversAction(s, SEND_ACTION[w.kind])) continue;
    if (arn !== undefined && s.Resource !== undefined && !coversResource(s, arn)) continue;
    const limited = admits(s, w, arn);
    if (limited === true) return "allowed";
    if (limited === undefined) verdict = "unlimited";
  }
  return verdict;
}

/** A function target: an aws.lambda.Permission for the service, limited to the source ARN. */
function judgePermission(w: Wire, resources: readonly PolicyResource[]): Verdict {
  let verdict: Verdict = "denied";
  for (const p of ofType(resources, aws.lambda.Permission)) {
    const fn = prop(p, "function");
    const hit = pointsAt(p, "function", w.target) || findFunction([w.target], fn) !== undefined;
    if (!hit) {
      if (fn === UNKNOWN) verdict = verdict === "denied" ? "unknown" : verdict;
      continue;
    }
    const action = str(p, "action");
    const principal = str(p, "principal");
    const sourceArn = str(p, "sourceArn");
    if (action === UNKNOWN || principal === UNKNOWN || sourceArn === UNKNOWN) return "unknown";
    if (!action || !globMatch(action, "lambda:InvokeFunction", true)) continue;
    if (principal !== w.service && principal !== "*") continue;
    if (sourceArn === undefined) verdict = "unlimited";
    else if (globMatch(sourceArn, w.sourceArn)) return "allowed";
  }
  return verdict;
}

const SOURCE_NAME: Record<string, string> = {
  "sns.amazonaws.com": "topic",
  "s3.amazonaws.com": "bucket",
  "cloudwatch.amazonaws.com": "alarm",
  "events.amazonaws.com": "EventBridge rule",
};

/** Up to three names, then how many more. */
function some(names: string[]): string {
  const more = names.length > 3 ? ` and ${names.length - 3} more` : "";
  return `${names.slice(0, 3).join(", ")}${more}`;
}

/** The wires of one finding: their sources, targets and configuring resources, deduplicated. */
interface Group {
  w: Wire;
  problem: string;
  sources: string;
  targets: string;
  vias: string;
}

/** Reports once per reported resource, service and problem. */
function reportGrouped(
  found: { w: Wire; problem: string }[],
  report: ReportViolation,
  urnOf: (w: Wire) => string,
  message: (g: Group) => string,
): void {
  const groups = new Map<string, { w: Wire; problem: string; lists: Set<string>[] }>();
  for (const { w, problem } of found) {
    const key = `${urnOf(w)}|${w.service}|${problem}`;
    const g = groups.get(key) ?? { w, problem, lists: [new Set(), new Set(), new Set()] };
    g.lists[0].add(w.sourceArn);
    g.lists[1].add(w.target.name);
    g.lists[2].add(w.via.name);
    groups.set(key, g);
  }
  for (const { w, problem, lists } of groups.values()) {
    const [sources, targets, vias] = lists.map((l) => some([...l]));
    report(message({ w, problem, sources, targets, vias }), urnOf(w));
  }
}

const targetNoun = (w: Wire) =>
  w.kind === "queue" ? "Queue" : w.kind === "topic" ? "Topic" : "Function";

/**
 * The destination's resource policy (queue policy, topic policy, or Lambda permission) lets the
 * publishing service in, with an aws:SourceArn condition naming the source.
 */
export const publisherAllowedByResourcePolicy: Rule = {
  name: "publisher-allowed-by-resource-policy",
  description:
    "Every queue, topic and function an AWS service delivers to (SNS subscriptions and DLQs, S3 notifications, alarm actions, EventBridge targets) lets that service in, limited by aws:SourceArn to the source.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const found: { w: Wire; problem: string }[] = [];
    for (const w of wires(args.resources)) {
      const verdict = judgeResourcePolicy(w, args.resources);
      if (verdict === "denied" || verdict === "unlimited") found.push({ w, problem: verdict });
    }
    reportGrouped(
      found,
      report,
      (w) => w.target.urn,
      ({ w, problem, sources, vias }) => {
        const source = SOURCE_NAME[w.service] ?? "source";
        const grant =
          w.kind === "function"
            ? `an aws.lambda.Permission { action: "lambda:InvokeFunction", principal: "${w.service}", sourceArn: <${source} ARN> }`
            : `a ${w.kind === "queue" ? "queue" : "topic"} policy statement allowing Principal { Service: "${w.service}" } ` +
              `${SEND_ACTION[w.kind]} with Condition ArnEquals aws:SourceArn <${source} ARN>`;
        return problem === "unlimited"
          ? `${targetNoun(w)} ${w.target.name} lets ${w.service} in without an aws:SourceArn condition matching ${source} ` +
              `${sources} (via ${vias}): any ${source} of any account could deliver to it. Use ${grant}.`
          : `${targetNoun(w)} ${w.target.name} does not let ${w.service} deliver from ${source} ${sources} (via ${vias}); ` +
              `${w.service === "s3.amazonaws.com" ? "S3 rejects the notification configuration" : "every delivery is dropped"}. Add ${grant}.`;
      },
    );
  },
};

/** The key a queue or topic is encrypted with: a stack key found by ARN, key id or alias. */
function keyOf(
  target: PolicyResource,
  resources: readonly PolicyResource[],
): { ref: string; key?: PolicyResource } | typeof UNKNOWN | undefined {
  const ref = str(target, "kmsMasterKeyId");
  // typeof, not `=== undefined`: the narrowing then holds without strictNullChecks too.
  if (typeof ref !== "string") return ref;
  const [key] = resolve(resources, ref, aws.kms.Key);
  if (key) return { ref, key };
  const [alias] = resources.filter(
    (r) => r.isType(aws.kms.Alias) && (str(r, "name") === ref || str(r, "arn") === ref),
  );
  const aliased = alias ? resolve(resources, str(alias, "targetKeyId"), aws.kms.Key)[0] : undefined;
  return { ref, key: aliased };
}

/** AWS-managed keys (`alias/aws/sqs`, `alias/aws/sns`, ...): their key policies cannot be changed. */
export function isAwsManagedAlias(ref: string): boolean {
  return /(^|:)alias\/aws\//.test(ref);
}

const KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];

/** Key actions of KEY_ACTIONS that no Allow statement grants the wire's service; UNKNOWN in preview. */
function missingKeyActions(
  key: PolicyResource,
  w: Wire,
  resources: readonly PolicyResource[],
): string[] | typeof UNKNOWN {
  const extra = targeting(resources, key, "keyId", aws.kms.KeyPolicy);
  if (extra === UNKNOWN) return UNKNOWN;
  const docs = [prop(key, "policy"), ...extra.map((p) => prop(p, "policy"))].filter(
    (d) => d !== undefined && d !== "",
  );
  if (docs.includes(UNKNOWN)) return UNKNOWN;
  const grants = docs
    .flatMap((d) => statementsOf(d) ?? [])
    .filter(
      (s) =>
        s.Effect === "Allow" &&
        includesService(s.Principal, w.service) &&
        admits(s, w, undefined) !== false,
    );
  return KEY_ACTIONS.filter((a) => !grants.some((s) => coversAction(s, a)));
}

/**
 * A service delivering to an encrypted queue or topic encrypts with the destination's key: the
 * key policy must grant it kms:GenerateDataKey* and kms:Decrypt, or every delivery fails.
 */
export const publisherAllowedByKeyPolicy: Rule = {
  name: "publisher-allowed-by-key-policy",
  description:
    "The KMS key of every queue and topic an AWS service delivers to grants that service kms:GenerateDataKey* and kms:Decrypt in its key policy.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const found: { w: Wire; problem: string; key: PolicyResource }[] = [];
    for (const w of wires(args.resources)) {
      if (w.kind === "function") continue;
      const key = keyOf(w.target, args.resources);
      if (key === UNKNOWN || key === undefined || !key.key || isAwsManagedAlias(key.ref)) continue;
      const missing = missingKeyActions(key.key, w, args.resources);
      if (missing === UNKNOWN || missing.length === 0) continue;
      found.push({ w, problem: missing.join(", "), key: key.key });
    }
    const keyFor = new Map(found.map((f) => [f.w, f.key]));
    reportGrouped(
      found,
      report,
      (w) => keyFor.get(w)!.urn,
      ({ w, problem, sources, targets }) =>
        `Key ${keyFor.get(w)!.name} encrypts ${w.kind} ${targets}, which ${w.service} delivers to from ` +
        `${SOURCE_NAME[w.service] ?? "source"} ${sources}, but its key policy does not grant ${w.service} ${problem}; ` +
        "every delivery fails. Add an Allow for the service principal with kms:GenerateDataKey* and kms:Decrypt " +
        "(ServiceKey in components/security/kmsKey.ts), limited by aws:SourceArn.",
    );
  },
};

/**
 * AWS-managed keys cannot grant a service principal anything, so a service can never deliver to a
 * queue or topic encrypted with one: use a customer-managed key (or SSE-SQS for queues).
 */
export const servicePublisherCustomerKey: Rule = {
  name: "service-publisher-customer-key",
  description:
    "No queue or topic an AWS service delivers to is encrypted with an AWS-managed key (alias/aws/sqs, alias/aws/sns).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const seen = new Set<string>();
    for (const w of wires(args.resources)) {
      if (w.kind === "function" || seen.has(w.target.urn)) continue;
      const ref = str(w.target, "kmsMasterKeyId");
      if (typeof ref !== "string" || !isAwsManagedAlias(ref)) continue;
      seen.add(w.target.urn);
      report(
        `${targetNoun(w)} ${w.target.name} is encrypted with the AWS-managed key ${ref}, whose policy cannot let ` +
          `${w.service} (via ${w.via.name}) use it: every delivery fails. Use a customer-managed key that grants it ` +
          `(ServiceKey in components/security/kmsKey.ts)${w.kind === "queue" ? " or sqsManagedSseEnabled: true" : ""}.`,
        w.target.urn,
      );
    }
  },
};

export const PUBLISHER_RULES: Rule[] = [
  publisherAllowedByResourcePolicy,
  publisherAllowedByKeyPolicy,
  servicePublisherCustomerKey,
];

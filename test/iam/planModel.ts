/**
 * The plan read as an authorisation model: each workload (Lambda function, ECS task role, ECS
 * execution role) with its role's policies, environment and entry file, and each resource with
 * its ARN, resource policy and KMS key, so a call found in code can be followed to its target by
 * the values the function's environment carries.
 */
import type { RecordedResource } from "../../scripts/harness/recorder";
import { bundleFunction } from "../../components/compute/bundle";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO } from "./codeCalls";

/** A policy document as rendered in the plan. */
export interface PolicyDoc {
  Version?: string;
  Statement: Record<string, unknown>[];
}

/** A Lambda function or an ECS task/execution role, as the proof checks it. */
export interface Workload {
  kind: "lambda" | "task" | "execution";
  /** Logical name in the plan. */
  name: string;
  roleArn: string;
  /** The role's inline policies. */
  policies: { name: string; policy: PolicyDoc }[];
  /** Entry file whose module graph is the code (none for an execution role). */
  entry?: string;
  /** Environment variables as the plan sets them. */
  env: Record<string, string>;
  /** The plan resource (function or task definition). */
  resource: RecordedResource;
}

const T = {
  fn: "aws:lambda/function:Function",
  task: "aws:ecs/taskDefinition:TaskDefinition",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  image: "awsx:ecr:Image",
};

const parse = (v: unknown): PolicyDoc => JSON.parse(String(v)) as PolicyDoc;
const str = (r: RecordedResource, k: string) => r.state[k] as string | undefined;

/** The folders under functions/ with a Lambda handler, by the sha256 of their bundle. */
function handlersByHash(): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of fs.readdirSync(path.join(REPO, "functions"))) {
    if (!fs.existsSync(path.join(REPO, "functions", d, "handler.ts"))) continue;
    out.set(bundleFunction(d).sha256, `functions/${d}/handler.ts`);
  }
  return out;
}

/** Every workload of a plan, its role policies resolved. */
export function workloads(resources: RecordedResource[]): Workload[] {
  const roles = new Map<string, string>();
  for (const r of resources.filter((x) => x.type === T.role)) {
    roles.set(str(r, "name") as string, str(r, "arn") as string);
  }
  const policiesOf = (roleArn: string) =>
    resources
      .filter((r) => r.type === T.rolePolicy && roles.get(String(r.inputs.role)) === roleArn)
      .map((r) => ({ name: r.name, policy: parse(r.inputs.policy) }));
  const hashes = handlersByHash();
  const out: Workload[] = [];
  for (const fn of resources.filter((r) => r.type === T.fn)) {
    const roleArn = String(fn.inputs.role);
    const entry = hashes.get(String(fn.inputs.sourceCodeHash));
    if (!entry)
      throw new Error(`function ${fn.name}: its bundle matches no functions/*/handler.ts`);
    const env = (fn.inputs.environment as { variables?: Record<string, string> } | undefined)
      ?.variables;
    out.push({
      kind: "lambda",
      name: fn.name,
      roleArn,
      policies: policiesOf(roleArn),
      entry,
      env: env ?? {},
      resource: fn,
    });
  }
  const images = resources.filter((r) => r.type === T.image);
  for (const task of resources.filter((r) => r.type === T.task)) {
    const containers = JSON.parse(String(task.inputs.containerDefinitions)) as {
      image: string;
      environment?: { name: string; value: string }[];
    }[];
    const env = Object.fromEntries(
      containers.flatMap((c) => (c.environment ?? []).map((e) => [e.name, e.value])),
    );
    // The image was built from the template functions/containers/Dockerfile for the app its
    // SERVICE build argument names, which bundles functions/containers/<app>/main.ts.
    const image = images.find((i) => i.name === task.name);
    if (!image) throw new Error(`task ${task.name}: no awsx:ecr:Image of that name`);
    const dockerfile = String(image.inputs.dockerfile);
    const app = (image.inputs.args as Record<string, string> | undefined)?.SERVICE;
    if (!app) throw new Error(`task ${task.name}: its image names no SERVICE build argument`);
    const entry = `${path.dirname(dockerfile)}/${app}/main.ts`;
    const taskRole = String(task.inputs.taskRoleArn);
    const execRole = String(task.inputs.executionRoleArn);
    out.push({
      kind: "task",
      name: task.name,
      roleArn: taskRole,
      policies: policiesOf(taskRole),
      entry,
      env,
      resource: task,
    });
    out.push({
      kind: "execution",
      name: task.name,
      roleArn: execRole,
      policies: policiesOf(execRole),
      env,
      resource: task,
    });
  }
  return out;
}

/** One resource a call can target, with what authorises access to it besides the caller's role. */
export interface Target {
  arn: string;
  /** Queue, topic or bucket policy. */
  resourcePolicy?: PolicyDoc;
  /** Customer-managed key encrypting it. */
  kmsKeyArn?: string;
}

/** Lookups over the plan's resources by the values environments and events carry. */
export class PlanIndex {
  /** `<kind> <value>` (a table name, queue URL or ARN, topic ARN, bucket name) to its target. */
  readonly byName = new Map<string, Target>();
  readonly keyPolicies = new Map<string, PolicyDoc>();
  readonly account: string;
  readonly region = "us-east-1";

  constructor(readonly resources: RecordedResource[]) {
    const of = (type: string) => resources.filter((r) => r.type === type);
    const policyFor = (type: string, key: string, value: string) => {
      const p = of(type).find((r) => r.inputs[key] === value);
      return p ? parse(p.inputs.policy) : undefined;
    };
    for (const k of of("aws:kms/key:Key"))
      this.keyPolicies.set(str(k, "arn") as string, parse(k.inputs.policy));
    for (const t of of("aws:dynamodb/table:Table")) {
      const sse = t.inputs.serverSideEncryption as { kmsKeyArn?: string } | undefined;
      const target = { arn: str(t, "arn") as string, kmsKeyArn: sse?.kmsKeyArn };
      this.byName.set(`table ${str(t, "name")}`, target);
    }
    for (const q of of("aws:sqs/queue:Queue")) {
      const target = {
        arn: str(q, "arn") as string,
        kmsKeyArn: q.inputs.kmsMasterKeyId as string | undefined,
        resourcePolicy: policyFor(
          "aws:sqs/queuePolicy:QueuePolicy",
          "queueUrl",
          str(q, "url") as string,
        ),
      };
      this.byName.set(`queue ${str(q, "url")}`, target);
      this.byName.set(`queue ${target.arn}`, target);
    }
    for (const t of of("aws:sns/topic:Topic")) {
      const arn = str(t, "arn") as string;
      const target = {
        arn,
        kmsKeyArn: t.inputs.kmsMasterKeyId as string | undefined,
        resourcePolicy: policyFor("aws:sns/topicPolicy:TopicPolicy", "arn", arn),
      };
      this.byName.set(`topic ${arn}`, target);
    }
    for (const b of of("aws:s3/bucket:Bucket")) {
      const name = str(b, "bucket") as string;
      const sse = of(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      ).find((c) => c.inputs.bucket === name);
      const rule = (
        sse?.inputs.rules as
          { applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: string } }[] | undefined
      )?.[0];
      const target = {
        arn: str(b, "arn") as string,
        kmsKeyArn: rule?.applyServerSideEncryptionByDefault?.kmsMasterKeyId,
        resourcePolicy: policyFor("aws:s3/bucketPolicy:BucketPolicy", "bucket", name),
      };
      this.byName.set(`bucket ${name}`, target);
    }
    for (const s of of("aws:kinesis/stream:Stream")) {
      const target = {
        arn: str(s, "arn") as string,
        kmsKeyArn: s.inputs.kmsKeyId as string | undefined,
      };
      this.byName.set(`stream ${target.arn}`, target);
    }
    for (const a of of("aws:cloudwatch/metricAlarm:MetricAlarm")) {
      this.byName.set(`alarm ${str(a, "name")}`, { arn: str(a, "arn") as string });
    }
    this.account = (str(of("aws:iam/role:Role")[0], "arn") as string).split(":")[4];
  }

  /** The resource of `kind` an environment value names (a table name, queue URL, topic ARN...). */
  lookup(kind: string, value: string): Target | undefined {
    return this.byName.get(`${kind} ${value}`);
  }

  /** Table by ARN (for stream sources: `<table>/stream/<label>`). */
  tableOfStream(streamArn: string): Target | undefined {
    const tableArn = streamArn.replace(/\/stream\/.*$/, "");
    return [...this.byName.entries()].find(
      ([k, v]) => k.startsWith("table ") && v.arn === tableArn,
    )?.[1];
  }

  /**
   * Buckets (and key prefixes) whose S3 event notifications reach a function: directly, through
   * a queue it consumes, through a topic feeding that queue, or through a function that forwards
   * the events to that queue (its environment names the queue).
   */
  eventBuckets(fnArn: string, seen = new Set<string>()): { bucket: string; prefix: string }[] {
    if (seen.has(fnArn)) return [];
    seen.add(fnArn);
    const out: { bucket: string; prefix: string }[] = [];
    const notifications = this.resources.filter(
      (r) => r.type === "aws:s3/bucketNotification:BucketNotification",
    );
    type Conf = {
      filterPrefix?: string;
      lambdaFunctionArn?: string;
      queueArn?: string;
      topicArn?: string;
    };
    const confs = (key: string) =>
      notifications.flatMap((n) =>
        ((n.inputs[key] as Conf[] | undefined) ?? []).map((c) => ({
          bucket: String(n.inputs.bucket),
          c,
        })),
      );
    for (const { bucket, c } of confs("lambdaFunctions"))
      if (c.lambdaFunctionArn === fnArn) out.push({ bucket, prefix: c.filterPrefix ?? "" });
    const queues = this.resources
      .filter(
        (r) =>
          r.type === "aws:lambda/eventSourceMapping:EventSourceMapping" &&
          r.inputs.functionName === fnArn,
      )
      .map((r) => String(r.inputs.eventSourceArn));
    for (const q of queues) {
      for (const { bucket, c } of confs("queues"))
        if (c.queueArn === q) out.push({ bucket, prefix: c.filterPrefix ?? "" });
      const topics = this.resources
        .filter(
          (r) =>
            r.type === "aws:sns/topicSubscription:TopicSubscription" && r.inputs.endpoint === q,
        )
        .map((r) => String(r.inputs.topic));
      for (const { bucket, c } of confs("topics"))
        if (c.topicArn && topics.includes(c.topicArn))
          out.push({ bucket, prefix: c.filterPrefix ?? "" });
      const url = [...this.byName.entries()]
        .find(([k, v]) => k.startsWith("queue https://") && v.arn === q)?.[0]
        .slice("queue ".length);
      for (const fn of this.resources.filter((r) => r.type === "aws:lambda/function:Function")) {
        const env =
          (fn.inputs.environment as { variables?: Record<string, string> } | undefined)
            ?.variables ?? {};
        if (url && Object.values(env).includes(url))
          out.push(...this.eventBuckets(String(fn.state.arn), seen));
      }
    }
    return out;
  }
}

/**
 * Every request a workload's role must authorise: the SDK calls its code makes (codeCalls.ts),
 * aimed at the resources its environment names, the KMS calls each encrypted target implies, and
 * what the runtime does with the role (Lambda's pollers, logs, X-Ray, VPC ENIs; ECS's agent).
 */
import { acceptsWildcardResource } from "../../components/security/iamReference";
import { codeCalls } from "./codeCalls";
import type { PlanIndex, Target, Workload } from "./planModel";

/** One request IAM evaluates. */
export interface Call {
  action: string;
  resource: string;
  /** Why the role makes it: a code site, or the runtime's documented need. */
  why: string;
  /** Its resource policy or key policy, evaluated with the role's. */
  resourcePolicy?: unknown;
  context?: Record<string, string>;
}

/** Lambda's documented permissions for each event source (the role polls with them). */
const SOURCE_ACTIONS: Record<string, { actions: string[]; wildcard?: string[]; page: string }> = {
  sqs: {
    actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
    page: "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-permissions",
  },
  kinesis: {
    actions: [
      "kinesis:DescribeStream",
      "kinesis:DescribeStreamSummary",
      "kinesis:GetRecords",
      "kinesis:GetShardIterator",
      "kinesis:ListShards",
    ],
    wildcard: ["kinesis:ListStreams"],
    page: "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaKinesisExecutionRole.html",
  },
  dynamodb: {
    actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
    wildcard: ["dynamodb:ListStreams"],
    page: "https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions",
  },
};

/**
 * The KMS calls a service makes with the caller's credentials on a CMK-encrypted target, per the
 * services' key-management pages (SQS: sqs-key-management.html; SNS: sns-key-management.html;
 * DynamoDB: encryption.howitworks.html; S3: UsingKMSEncryption.html; Kinesis: permissions-user-key-KMS.html).
 */
function kmsCalls(
  service: string,
  action: string,
  target: Target,
  index: PlanIndex,
  why: string,
): Call[] {
  if (!target.kmsKeyArn) return [];
  const writes: Record<string, string[]> = {
    "sqs:SendMessage": ["kms:GenerateDataKey", "kms:Decrypt"],
    "sns:Publish": ["kms:GenerateDataKey", "kms:Decrypt"],
    "s3:PutObject": ["kms:GenerateDataKey"],
    "kinesis:PutRecord": ["kms:GenerateDataKey"],
    "kinesis:PutRecords": ["kms:GenerateDataKey"],
  };
  const reads = [
    "sqs:ReceiveMessage",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "kinesis:GetRecords",
    "dynamodb:GetRecords",
  ];
  const actions =
    writes[action] ??
    (reads.includes(action) || (service === "dynamodb" && action !== "dynamodb:GetRecords")
      ? ["kms:Decrypt"]
      : []);
  return actions.map((a) => ({
    action: a,
    resource: target.kmsKeyArn as string,
    why: `${why} (${action} on a CMK-encrypted ${service} resource)`,
    resourcePolicy: index.keyPolicies.get(target.kmsKeyArn as string),
    context: {
      "kms:ViaService": `${service}.${index.region}.amazonaws.com`,
      "kms:CallerAccount": index.account,
    },
  }));
}

/** Which environment variable a call targets when several name resources of its service. */
export type Bindings = Record<string, Record<string, string[]>>;

/** Environment values, with those of JSON-valued variables (settings objects) flattened in. */
function envValues(env: Record<string, string>): [string, string][] {
  const out: [string, string][] = [];
  const walk = (k: string, v: unknown) => {
    if (typeof v === "string") out.push([k, v]);
    else if (v && typeof v === "object")
      for (const [kk, vv] of Object.entries(v)) walk(`${k}.${kk}`, vv);
  };
  for (const [k, v] of Object.entries(env)) {
    let parsed: unknown = v;
    if (v.startsWith("{")) parsed = JSON.parse(v);
    walk(k, parsed);
  }
  return out;
}

function targetsOf(
  w: Workload,
  service: string,
  action: string,
  index: PlanIndex,
  bindings: Bindings,
): Target[] {
  const kind = {
    dynamodb: "table",
    sqs: "queue",
    sns: "topic",
    kinesis: "stream",
    cloudwatch: "alarm",
  }[service];
  if (!kind) return [];
  const named = envValues(w.env).flatMap(([k, v]) => {
    const t = index.lookup(kind, v);
    return t ? [{ k, t }] : [];
  });
  const bound = bindings[w.entry ?? ""]?.[action];
  // Tables play distinct parts (a function's dedupe table is not its data table): bind them.
  // Other services' several targets (a scaler's two alarms) are each called.
  if (named.length > 1 && !bound && kind === "table") {
    throw new Error(
      `${w.name}: ${action} may target ${named.map((n) => n.k).join(" or ")}; bind it in BINDINGS`,
    );
  }
  return named.filter((n) => !bound || bound.includes(n.k)).map((n) => n.t);
}

/** Calls the code makes, each on the resource it targets, KMS included. */
export function codeRequests(w: Workload, index: PlanIndex, bindings: Bindings): Call[] {
  if (!w.entry) return [];
  const out: Call[] = [];
  const fnArn = String(w.resource.state.arn);
  for (const call of codeCalls(w.entry)) {
    for (const action of call.actions) {
      const service = action.split(":")[0];
      const why = `${call.command} at ${call.site}`;
      if (service === "s3") {
        out.push(...s3Requests(w, index, action, why, fnArn));
        continue;
      }
      // A subscription's calls name its ARN (`<topic ARN>:<id>`); the Service Authorization
      // Reference gives them the topic as an (optional) resource type, so a grant scoped to the
      // topic is the least one: model them on the topic the environment names.
      const onSubscription = service === "sns" && call.inputKeys.includes("SubscriptionArn");
      if (acceptsWildcardResource(action) && !onSubscription) {
        out.push({ action, resource: "*", why });
        continue;
      }
      const targets = targetsOf(w, service, action, index, bindings);
      if (targets.length === 0)
        throw new Error(`${w.name}: ${why} targets no resource its environment names`);
      // SNS authorises Subscribe with the protocol as sns:Protocol; the code subscribes email/SMS.
      const context = action === "sns:Subscribe" ? { "sns:Protocol": "email" } : undefined;
      for (const t of targets) {
        out.push({ action, resource: t.arn, why, resourcePolicy: t.resourcePolicy, context });
        out.push(...kmsCalls(service, action, t, index, why));
      }
    }
  }
  return out;
}

/** S3 calls target an object: the bucket in the environment (uploads) or in the S3 events received. */
function s3Requests(
  w: Workload,
  index: PlanIndex,
  action: string,
  why: string,
  fnArn: string,
): Call[] {
  // The bucket in the environment: uploads (BUCKET_NAME) or an item's files (FILES_BUCKET).
  const envBucket = w.env.BUCKET_NAME ?? w.env.FILES_BUCKET;
  const sites = envBucket
    ? [{ bucket: envBucket, prefix: w.env.UPLOAD_KEY_PREFIX ?? w.env.ITEM_FILES_PREFIX ?? "" }]
    : index.eventBuckets(fnArn);
  if (sites.length === 0) throw new Error(`${w.name}: ${why} reaches no bucket`);
  return sites.flatMap(({ bucket, prefix }) => {
    const t = index.lookup("bucket", bucket) as Target;
    if (action === "s3:ListBucket") {
      // ListObjectsV2 is authorised on the bucket, with the listed prefix as s3:prefix.
      const listed = { "s3:prefix": `${prefix}example-id/` };
      return [{ action, resource: t.arn, why, resourcePolicy: t.resourcePolicy, context: listed }];
    }
    const object = `${t.arn}/${prefix}example.bin`;
    const calls: Call[] = [{ action, resource: object, why, resourcePolicy: t.resourcePolicy }];
    if (action === "s3:GetObject") {
      // Without ListBucket a missing key answers 403, not 404 (API_GetObject.html, Permissions).
      calls.push({
        action: "s3:ListBucket",
        resource: t.arn,
        why: `${why}: 404 for a deleted object`,
        resourcePolicy: t.resourcePolicy,
      });
    }
    return [...calls, ...kmsCalls("s3", action, t, index, why)];
  });
}

/** What the Lambda service or the ECS agent does with the role. */
export function runtimeRequests(w: Workload, index: PlanIndex): Call[] {
  const out: Call[] = [];
  const { account, region } = index;
  const arn = (s: string) => `arn:aws:${s.replace("{r}", region).replace("{a}", account)}`;
  const logs = (group: string, page: string) =>
    ["logs:CreateLogStream", "logs:PutLogEvents"].map((action) => ({
      action,
      resource: arn(`logs:{r}:{a}:log-group:${group}:log-stream:2026/01/01/example`),
      why: `runtime logs (${page})`,
    }));
  if (w.kind === "execution") {
    const c = JSON.parse(String(w.resource.inputs.containerDefinitions))[0] as {
      image: string;
      logConfiguration?: { options: Record<string, string> };
    };
    const page =
      "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html";
    const repo = c.image.split("/")[1].split("@")[0].split(":")[0];
    out.push({ action: "ecr:GetAuthorizationToken", resource: "*", why: `image pull (${page})` });
    for (const a of [
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
    ]) {
      out.push({
        action: a,
        resource: arn(`ecr:{r}:{a}:repository/${repo}`),
        why: `image pull (${page})`,
      });
    }
    if (c.logConfiguration) out.push(...logs(c.logConfiguration.options["awslogs-group"], page));
    return out;
  }
  if (w.kind !== "lambda") return out;
  const fn = w.resource;
  const fnArn = String(fn.state.arn);
  const basic = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html";
  out.push(...logs(String((fn.inputs.loggingConfig as { logGroup: string }).logGroup), basic));
  if ((fn.inputs.tracingConfig as { mode?: string } | undefined)?.mode === "Active") {
    for (const a of ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]) {
      out.push({
        action: a,
        resource: "*",
        why: "active tracing (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html)",
      });
    }
  }
  const vpc = fn.inputs.vpcConfig as
    { subnetIds: string[]; securityGroupIds: string[] } | undefined;
  if (vpc) {
    const page = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html";
    const eni = arn("ec2:{r}:{a}:network-interface/eni-0123456789abcdef0");
    for (const r of [
      eni,
      ...vpc.subnetIds.map((s) => arn(`ec2:{r}:{a}:subnet/${s}`)),
      ...vpc.securityGroupIds.map((g) => arn(`ec2:{r}:{a}:security-group/${g}`)),
    ]) {
      out.push({ action: "ec2:CreateNetworkInterface", resource: r, why: `VPC ENIs (${page})` });
    }
    for (const a of ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"])
      out.push({ action: a, resource: "*", why: `VPC ENIs (${page})` });
    for (const a of [
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ]) {
      out.push({ action: a, resource: eni, why: `VPC ENIs (${page})` });
    }
  }
  for (const esm of index.resources.filter(
    (r) =>
      r.type === "aws:lambda/eventSourceMapping:EventSourceMapping" &&
      r.inputs.functionName === fnArn,
  )) {
    const source = String(esm.inputs.eventSourceArn);
    const service = source.split(":")[2];
    const spec = SOURCE_ACTIONS[service];
    const target: Target =
      service === "dynamodb"
        ? { arn: source, kmsKeyArn: index.tableOfStream(source)?.kmsKeyArn }
        : (index.lookup(service === "sqs" ? "queue" : "stream", source) as Target);
    const why = `event source mapping (${spec.page})`;
    for (const action of spec.actions) {
      out.push({ action, resource: source, why, resourcePolicy: target.resourcePolicy });
      out.push(...kmsCalls(service, action, target, index, why));
    }
    for (const action of spec.wildcard ?? []) out.push({ action, resource: "*", why });
    const onFailure = (
      esm.inputs.destinationConfig as { onFailure?: { destinationArn?: string } } | undefined
    )?.onFailure?.destinationArn;
    if (onFailure)
      out.push(
        ...sendTo(
          onFailure,
          index,
          "on-failure destination (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)",
        ),
      );
  }
  for (const eic of index.resources.filter(
    (r) =>
      r.type === "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig" &&
      fnArn.endsWith(`:${String(r.inputs.functionName)}`),
  )) {
    const dest = (
      eic.inputs.destinationConfig as { onFailure?: { destination?: string } } | undefined
    )?.onFailure?.destination;
    if (dest)
      out.push(
        ...sendTo(
          dest,
          index,
          "async on-failure destination (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)",
        ),
      );
  }
  return out;
}

function sendTo(queueArn: string, index: PlanIndex, why: string): Call[] {
  const t = index.lookup("queue", queueArn) as Target;
  return [
    { action: "sqs:SendMessage", resource: queueArn, why, resourcePolicy: t.resourcePolicy },
    ...kmsCalls("sqs", "sqs:SendMessage", t, index, why),
  ];
}

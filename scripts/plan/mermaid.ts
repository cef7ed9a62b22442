import type { PlanDocument, PlanResource } from "./document";

/** Resource types that are boxes in the data-flow diagram, with their label and shape. */
const NODE_TYPES: Record<string, { label: string; open: string; close: string }> = {
  "aws:apigatewayv2/api:Api": { label: "HTTP API", open: "([", close: "])" },
  "aws:apigateway/restApi:RestApi": { label: "REST API", open: "([", close: "])" },
  "aws:lambda/function:Function": { label: "Lambda", open: "[", close: "]" },
  "aws:ecs/service:Service": { label: "Fargate service", open: "[", close: "]" },
  "aws:lb/loadBalancer:LoadBalancer": { label: "Load balancer", open: "{{", close: "}}" },
  "aws:dynamodb/table:Table": { label: "DynamoDB", open: "[(", close: ")]" },
  "aws:s3/bucket:Bucket": { label: "S3", open: "[(", close: ")]" },
  "aws:sqs/queue:Queue": { label: "SQS", open: "[/", close: "/]" },
  "aws:sns/topic:Topic": { label: "SNS", open: "((", close: "))" },
  "aws:kinesis/stream:Stream": { label: "Kinesis", open: "[/", close: "/]" },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
    label: "Firehose",
    open: "[/",
    close: "/]",
  },
  "aws:glue/catalogTable:CatalogTable": { label: "Glue table", open: "[(", close: ")]" },
  "aws:athena/workgroup:Workgroup": { label: "Athena", open: "[", close: "]" },
  "aws:kinesisanalyticsv2/application:Application": { label: "Flink", open: "[", close: "]" },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { label: "Alarm", open: ">", close: "]" },
  "aws:cloudwatch/eventRule:EventRule": { label: "Schedule", open: ">", close: "]" },
  "aws:scheduler/schedule:Schedule": { label: "Schedule", open: ">", close: "]" },
};

/** IAM actions that move data to a resource: a role holding one draws an edge to it. */
const WRITE_ACTION =
  /^(dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)|sns:Publish|sqs:SendMessage|kinesis:(PutRecords?|UpdateShardCount)|s3:PutObject|firehose:PutRecord(Batch)?|cloudwatch:PutMetricAlarm)$/;

/** IAM actions that pull data from a resource: an edge from it to the role's holder. */
const POLL_ACTION = /^sqs:ReceiveMessage$/;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Every string inside a JSON value (to find the identifiers a resource refers to). */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => strings(x, out));
  return out;
}

interface Edge {
  from: string;
  to: string;
  label?: string;
  dotted?: boolean;
}

/**
 * Derives the data-flow diagram (API -> function -> table, topic -> queue -> function, ...) from
 * the plan by following references by value: every edge is read off a resource's inputs.
 */
export function renderMermaid(doc: PlanDocument): string {
  const byUrn = new Map(doc.resources.map((r) => [r.urn, r]));
  const nodes = doc.resources.filter((r) => NODE_TYPES[r.type]);
  const nodeId = new Map(nodes.map((r, i) => [r.urn, `n${i}`]));

  // Identifier -> node URN, for following references by value.
  const ids = new Map<string, string>();
  for (const r of nodes) {
    const s = obj(r.state);
    for (const key of ["arn", "url", "invokeArn", "streamArn", "bucket", "apiEndpoint"]) {
      const v = str(s[key]);
      if (v) ids.set(v, r.urn);
    }
    if (r.type === "aws:lambda/function:Function" && str(s.name)) ids.set(str(s.name)!, r.urn);
    if (r.type === "aws:ecs/service:Service" && str(s.name)) ids.set(str(s.name)!, r.urn);
    // Metric dimensions name streams (StreamName), not ARNs.
    if (r.type === "aws:kinesis/stream:Stream" && str(s.name)) ids.set(str(s.name)!, r.urn);
  }
  const resolve = (value: unknown): string | undefined => {
    const v = str(value);
    if (!v) return undefined;
    return (
      ids.get(v) ??
      ids.get(
        v
          .replace(/\/index\/\*$/, "")
          .replace(/\/\*$/, "")
          .replace(/:\*$/, ""),
      ) ??
      // Objects under a prefix (`arn:aws:s3:::bucket/uploads/*`) belong to their bucket.
      ids.get(v.replace(/^(arn:aws[a-z-]*:s3:::[^/]+)\/.*$/, "$1"))
    );
  };
  const findIn = (value: unknown): string[] => [
    ...new Set(
      strings(value)
        .map(resolve)
        .filter((u): u is string => !!u),
    ),
  ];

  // The stack's alarm topic receives every health alarm; drawing those would bury the data flow.
  const alarmTopics = new Set(
    doc.resources
      .filter(
        (r) =>
          r.type === "aws:sns/topic:Topic" &&
          ancestorTypes(r, byUrn).includes("serverless:observability:AlarmTopic"),
      )
      .map((r) => r.urn),
  );

  const edges: Edge[] = [];
  const add = (
    from: string | undefined,
    to: string | undefined,
    label?: string,
    dotted = false,
  ) => {
    if (from && to && from !== to) edges.push({ from, to, label, dotted });
  };

  // Roles -> the nodes that act with them (functions, ECS services via their task definitions).
  const roleActors = new Map<string, string[]>();
  const taskDefs = new Map<string, string>();
  for (const r of doc.resources) {
    const i = obj(r.inputs);
    if (r.type === "aws:lambda/function:Function") pushMap(roleActors, str(i.role), r.urn);
    // AWS service integrations act with their credentials role (e.g. a REST API Kinesis proxy).
    if (r.type === "aws:apigateway/integration:Integration") {
      const api = findApi(doc, i.restApi);
      if (api) pushMap(roleActors, str(i.credentials), api);
    }
    if (r.type === "aws:kinesisanalyticsv2/application:Application") {
      pushMap(roleActors, str(i.serviceExecutionRole), r.urn);
    }
    if (r.type === "aws:ecs/taskDefinition:TaskDefinition") {
      const arn = str(obj(r.state).arn);
      if (arn) taskDefs.set(arn, str(i.taskRoleArn) ?? "");
    }
  }
  for (const r of doc.resources) {
    if (r.type !== "aws:ecs/service:Service") continue;
    const role = taskDefs.get(str(obj(r.inputs).taskDefinition) ?? "");
    pushMap(roleActors, role, r.urn);
  }
  const roleArnByName = new Map<string, string>();
  for (const r of doc.resources) {
    if (r.type === "aws:iam/role:Role") {
      const s = obj(r.state);
      for (const k of [str(s.name), str(s.id)])
        if (k && str(s.arn)) roleArnByName.set(k, str(s.arn)!);
    }
  }

  for (const r of doc.resources) {
    const i = obj(r.inputs);
    switch (r.type) {
      case "aws:apigatewayv2/integration:Integration":
        add(
          resolve(i.apiId) ?? findApi(doc, i.apiId),
          resolve(i.integrationUri) ?? listenerTarget(doc, i.integrationUri, ids),
        );
        break;
      case "aws:apigateway/integration:Integration":
        for (const target of findIn([i.uri, i.requestTemplates]))
          add(findApi(doc, i.restApi), target);
        break;
      case "aws:lambda/eventSourceMapping:EventSourceMapping":
        add(resolve(i.eventSourceArn), resolve(i.functionName));
        break;
      case "aws:sns/topicSubscription:TopicSubscription":
        add(
          resolve(i.topic),
          resolve(i.endpoint),
          str(i.protocol) === "sqs" ? undefined : str(i.protocol),
        );
        break;
      case "aws:s3/bucketNotification:BucketNotification": {
        const bucket = resolve(i.bucket);
        for (const list of ["topics", "queues", "lambdaFunctions"]) {
          for (const t of (i[list] as Json[] | undefined) ?? []) {
            add(bucket, resolve(t.topicArn ?? t.queueArn ?? t.lambdaFunctionArn), "events");
          }
        }
        break;
      }
      case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
        add(resolve(obj(i.kinesisSourceConfiguration).kinesisStreamArn), r.urn);
        add(r.urn, resolve(obj(i.extendedS3Configuration).bucketArn));
        break;
      case "aws:sqs/queue:Queue": {
        const redrive = str(i.redrivePolicy);
        if (redrive) add(r.urn, resolve(obj(safeJson(redrive)).deadLetterTargetArn), "DLQ", true);
        break;
      }
      case "aws:cloudwatch/metricAlarm:MetricAlarm": {
        let dataFlow = false;
        for (const a of (i.alarmActions as unknown[]) ?? []) {
          const topic = resolve(a);
          if (topic && !alarmTopics.has(topic)) {
            add(r.urn, topic, "alarm");
            dataFlow = true;
          }
        }
        // An alarm that drives the flow (e.g. shard scaling) starts at the stream it watches.
        if (dataFlow) {
          const dims = [
            obj(i.dimensions),
            ...((i.metricQueries as Json[] | undefined) ?? []).map((q) =>
              obj(obj(q.metric).dimensions),
            ),
          ];
          for (const d of dims) add(resolve(d.StreamName), r.urn, "metrics", true);
        }
        break;
      }
      case "aws:cloudwatch/eventTarget:EventTarget":
        add(resolveRule(doc, i.rule), resolve(i.arn), "schedule");
        break;
      case "aws:scheduler/schedule:Schedule":
        add(r.urn, resolve(obj(i.target).arn), "schedule");
        break;
      case "aws:glue/catalogTable:CatalogTable": {
        const location = str(obj(i.storageDescriptor).location) ?? "";
        const bucket = /^s3:\/\/([^/]+)/.exec(location)?.[1];
        add(bucket ? ids.get(bucket) : undefined, r.urn, "schema", true);
        break;
      }
      case "aws:athena/namedQuery:NamedQuery": {
        // A workgroup's named queries read the Glue tables of their database.
        const workgroup = doc.resources.find(
          (x) => x.type === "aws:athena/workgroup:Workgroup" && obj(x.state).name === i.workgroup,
        );
        for (const t of doc.resources) {
          if (t.type !== "aws:glue/catalogTable:CatalogTable") continue;
          if (obj(t.inputs).databaseName !== i.database) continue;
          add(t.urn, workgroup?.urn, "query", true);
        }
        break;
      }
      case "aws:kinesisanalyticsv2/application:Application":
        for (const t of findIn(i.applicationConfiguration)) add(t, r.urn);
        break;
      case "aws:ecs/service:Service":
        for (const lb of (i.loadBalancers as Json[] | undefined) ?? []) {
          const tg = str(lb.targetGroupArn);
          for (const l of doc.resources.filter(
            (x) =>
              x.type === "aws:lb/listener:Listener" ||
              x.type === "aws:lb/listenerRule:ListenerRule",
          )) {
            if (
              strings(obj(l.inputs).defaultActions ?? obj(l.inputs).actions).includes(tg ?? "-")
            ) {
              add(
                resolve(obj(l.inputs).loadBalancerArn) ??
                  listenerLb(doc, obj(l.inputs).listenerArn, ids),
                r.urn,
              );
            }
          }
        }
        break;
      case "aws:iam/rolePolicy:RolePolicy": {
        const roleArn = roleArnByName.get(str(i.role) ?? "");
        const actors = roleActors.get(roleArn ?? "") ?? [];
        for (const st of statementsOf(i.policy)) {
          const actions = ([] as unknown[]).concat(st.Action ?? []).map(String);
          if (st.Effect !== "Allow") continue;
          const writes = actions.some((a) => WRITE_ACTION.test(a));
          // Pollers (e.g. a container worker) have no event source mapping: the grant is the edge.
          const polls = actions.some((a) => POLL_ACTION.test(a));
          for (const target of findIn(st.Resource)) {
            for (const actor of actors) {
              if (writes) add(actor, target);
              if (polls) add(target, actor);
            }
          }
        }
        break;
      }
    }
  }

  // De-duplicate edges and keep only nodes that take part in the flow.
  const seen = new Set<string>();
  const unique = edges.filter((e) => {
    const k = `${e.from}>${e.to}>${e.label ?? ""}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const used = new Set(unique.flatMap((e) => [e.from, e.to]));

  const lines = ["flowchart LR"];
  const groups = new Map<string, PlanResource[]>();
  for (const r of nodes) {
    if (!used.has(r.urn)) continue;
    const flow = flowOf(r, byUrn);
    groups.set(flow, [...(groups.get(flow) ?? []), r]);
  }
  for (const [flow, members] of [...groups.entries()].sort()) {
    lines.push(`  subgraph ${sanitize(flow)}["${flow}"]`);
    for (const r of members) {
      const t = NODE_TYPES[r.type];
      lines.push(`    ${nodeId.get(r.urn)}${t.open}"${t.label}: ${r.name}"${t.close}`);
    }
    lines.push("  end");
  }
  for (const e of unique) {
    const arrow = e.dotted ? "-.->" : "-->";
    const label = e.label ? `|${e.label}|` : "";
    lines.push(`  ${nodeId.get(e.from)} ${arrow}${label} ${nodeId.get(e.to)}`);
  }
  return lines.join("\n");
}

function pushMap(map: Map<string, string[]>, key: string | undefined, value: string) {
  if (!key) return;
  map.set(key, [...(map.get(key) ?? []), value]);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function statementsOf(policy: unknown): Json[] {
  const doc = typeof policy === "string" ? safeJson(policy) : policy;
  const st = obj(doc).Statement;
  return Array.isArray(st) ? (st as Json[]) : st ? [obj(st)] : [];
}

function findApi(doc: PlanDocument, apiId: unknown): string | undefined {
  return (
    doc.resources.find(
      (r) =>
        (r.type === "aws:apigatewayv2/api:Api" || r.type === "aws:apigateway/restApi:RestApi") &&
        obj(r.state).id === apiId,
    )?.urn ?? doc.resources.find((r) => NODE_TYPES[r.type] && apiIdOf(r) === apiId)?.urn
  );
}

function apiIdOf(r: PlanResource): string | undefined {
  const arn = str(obj(r.state).arn) ?? "";
  return /\/(?:rest)?apis\/([^/]+)$/.exec(arn)?.[1];
}

function resolveRule(doc: PlanDocument, rule: unknown): string | undefined {
  return doc.resources.find(
    (r) => r.type === "aws:cloudwatch/eventRule:EventRule" && obj(r.state).name === rule,
  )?.urn;
}

function listenerLb(
  doc: PlanDocument,
  listenerArn: unknown,
  ids: Map<string, string>,
): string | undefined {
  const listener = doc.resources.find(
    (r) => r.type === "aws:lb/listener:Listener" && obj(r.state).arn === listenerArn,
  );
  return listener ? ids.get(str(obj(listener.inputs).loadBalancerArn) ?? "") : undefined;
}

/** HTTP API private integrations point at a listener: draw the edge to its load balancer. */
function listenerTarget(
  doc: PlanDocument,
  uri: unknown,
  ids: Map<string, string>,
): string | undefined {
  return listenerLb(doc, uri, ids);
}

function ancestorTypes(r: PlanResource, byUrn: Map<string, PlanResource>): string[] {
  const out: string[] = [];
  let p = r.parent ? byUrn.get(r.parent) : undefined;
  while (p) {
    out.push(p.type);
    p = p.parent ? byUrn.get(p.parent) : undefined;
  }
  return out;
}

/** The flow (or "shared") a resource belongs to: the name of its `serverless:flow:*` ancestor. */
function flowOf(r: PlanResource, byUrn: Map<string, PlanResource>): string {
  let p: PlanResource | undefined = r;
  while (p) {
    if (p.type.startsWith("serverless:flow:")) return p.name;
    p = p.parent ? byUrn.get(p.parent) : undefined;
  }
  return "shared";
}

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, "_");
}

import { createHash } from "node:crypto";

/** Account and region the mocks pretend to be in. */
export interface MockWorld {
  region: string;
  accountId: string;
}

export const DEFAULT_WORLD: MockWorld = { region: "us-east-1", accountId: "123456789012" };

type Inputs = Record<string, unknown>;

/** Deterministic hex of `len` chars from the resource's identity, so plans are reproducible. */
export function stableHex(seed: string, len = 8): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, len);
}

/** Pulumi-style auto-name: logical name plus a 7-char suffix (stable here, random in Pulumi). */
function autoName(name: string, inputs: Inputs, key = "name", maxLen = 80): string {
  const given = inputs[key];
  if (typeof given === "string" && given.length > 0) return given;
  const suffix = stableHex(name, 7);
  const fifo = inputs.fifoQueue === true || inputs.fifoTopic === true ? ".fifo" : "";
  return `${name.slice(0, maxLen - 8 - fifo.length)}-${suffix}${fifo}`;
}

function uuid(seed: string): string {
  const h = stableHex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

interface Ctx extends MockWorld {
  name: string;
  inputs: Inputs;
  hex: (len?: number) => string;
}

type StateFn = (c: Ctx) => { id: string; state: Inputs };

const arn = (c: Ctx, service: string, resource: string, region = c.region, account = c.accountId) =>
  `arn:aws:${service}:${region}:${account}:${resource}`;

/** One entry per resource type the program creates: the identifiers AWS would return. */
const STATES: Record<string, StateFn> = {
  "aws:sqs/queue:Queue": (c) => {
    const name = autoName(c.name, c.inputs);
    const url = `https://sqs.${c.region}.amazonaws.com/${c.accountId}/${name}`;
    return { id: url, state: { name, url, arn: arn(c, "sqs", name) } };
  },
  "aws:sns/topic:Topic": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "sns", name);
    return { id: a, state: { name, arn: a } };
  },
  "aws:sns/topicSubscription:TopicSubscription": (c) => {
    const a = `${String(c.inputs.topic ?? arn(c, "sns", "topic"))}:${uuid(c.name)}`;
    return { id: a, state: { arn: a } };
  },
  "aws:sns/topicPolicy:TopicPolicy": (c) => ({
    id: String(c.inputs.arn),
    state: { owner: c.accountId },
  }),
  "aws:s3/bucket:Bucket": (c) => bucket(c),
  "aws:s3/bucketV2:BucketV2": (c) => bucket(c),
  // Bucket configuration resources: the provider's id is the bucket name.
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (c) => bucketConfig(c),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (c) => bucketConfig(c),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (c) =>
    bucketConfig(c),
  "aws:s3/bucketVersioning:BucketVersioning": (c) => bucketConfig(c),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (c) => bucketConfig(c),
  "aws:s3/bucketPolicy:BucketPolicy": (c) => bucketConfig(c),
  "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": (c) => bucketConfig(c),
  "aws:s3/bucketNotification:BucketNotification": (c) => bucketConfig(c),
  // Queue attribute resources: the provider's id is the queue URL.
  "aws:sqs/queuePolicy:QueuePolicy": (c) => ({ id: String(c.inputs.queueUrl), state: {} }),
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": (c) => ({
    id: String(c.inputs.queueUrl),
    state: {},
  }),
  "aws:dynamodb/table:Table": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "dynamodb", `table/${name}`);
    const streamLabel = "2026-01-01T00:00:00.000";
    const stream = c.inputs.streamEnabled === true;
    return {
      id: name,
      state: {
        name,
        arn: a,
        ...(stream ? { streamArn: `${a}/stream/${streamLabel}`, streamLabel } : {}),
      },
    };
  },
  "aws:kinesis/stream:Stream": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "kinesis", `stream/${name}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:kinesis/streamConsumer:StreamConsumer": (c) => {
    const a = `${String(c.inputs.streamArn)}/consumer/${c.inputs.name}:1767225600`;
    return { id: a, state: { arn: a } };
  },
  "aws:lambda/function:Function": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    const a = arn(c, "lambda", `function:${name}`);
    return {
      id: name,
      state: {
        name,
        arn: a,
        qualifiedArn: `${a}:$LATEST`,
        version: "$LATEST",
        invokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${a}/invocations`,
        qualifiedInvokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${a}:$LATEST/invocations`,
      },
    };
  },
  "aws:lambda/eventSourceMapping:EventSourceMapping": (c) => {
    const id = uuid(c.name);
    return {
      id,
      state: { uuid: id, arn: arn(c, "lambda", `event-source-mapping:${id}`), state: "Enabled" },
    };
  },
  "aws:lambda/permission:Permission": (c) => ({
    id: String(c.inputs.statementId ?? c.name),
    state: {},
  }),
  // The provider's id is the function name (with ":qualifier" when one is set).
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": (c) => ({
    id: [c.inputs.functionName, c.inputs.qualifier].filter(Boolean).map(String).join(":"),
    state: {},
  }),
  "aws:iam/role:Role": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    return {
      id: name,
      state: {
        name,
        arn: `arn:aws:iam::${c.accountId}:role/${name}`,
        uniqueId: `AROA${c.hex(16).toUpperCase()}`,
      },
    };
  },
  "aws:iam/policy:Policy": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = `arn:aws:iam::${c.accountId}:policy/${name}`;
    return { id: a, state: { name, arn: a, policyId: `ANPA${c.hex(16).toUpperCase()}` } };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => {
    const name = autoName(c.name, c.inputs);
    return { id: `${String(c.inputs.role)}:${name}`, state: { name } };
  },
  "aws:kms/key:Key": (c) => {
    const keyId = uuid(c.name);
    return { id: keyId, state: { keyId, arn: arn(c, "kms", `key/${keyId}`) } };
  },
  "aws:kms/alias:Alias": (c) => {
    const name = String(c.inputs.name ?? `alias/${c.name}`);
    return { id: name, state: { name, arn: arn(c, "kms", name) } };
  },
  "aws:cloudwatch/logGroup:LogGroup": (c) => {
    const name = autoName(c.name, c.inputs, "name", 512);
    return { id: name, state: { name, arn: arn(c, "logs", `log-group:${name}`) } };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
    const name = autoName(c.name, c.inputs);
    return { id: name, state: { name, arn: arn(c, "cloudwatch", `alarm:${name}`) } };
  },
  "aws:cloudwatch/dashboard:Dashboard": (c) => {
    const name = String(c.inputs.dashboardName ?? c.name);
    return {
      id: name,
      state: { dashboardArn: `arn:aws:cloudwatch::${c.accountId}:dashboard/${name}` },
    };
  },
  "aws:cloudwatch/eventRule:EventRule": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    return { id: name, state: { name, arn: arn(c, "events", `rule/${name}`) } };
  },
  "aws:cloudwatch/eventTarget:EventTarget": (c) => ({
    id: `${String(c.inputs.rule)}-${c.name}`,
    state: {},
  }),
  "aws:scheduler/schedule:Schedule": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    return {
      id: `default/${name}`,
      state: { name, arn: arn(c, "scheduler", `schedule/default/${name}`) },
    };
  },
  "aws:apigatewayv2/api:Api": (c) => {
    const id = c.hex(10);
    return {
      id,
      state: {
        apiEndpoint: `https://${id}.execute-api.${c.region}.amazonaws.com`,
        executionArn: arn(c, "execute-api", id),
        arn: `arn:aws:apigateway:${c.region}::/apis/${id}`,
      },
    };
  },
  "aws:apigatewayv2/stage:Stage": (c) => {
    const api = String(c.inputs.apiId);
    const stage = String(c.inputs.name ?? "$default");
    const path = stage === "$default" ? "" : stage;
    return {
      id: stage,
      state: {
        invokeUrl: `https://${api}.execute-api.${c.region}.amazonaws.com/${path}`,
        executionArn: arn(c, "execute-api", `${api}/${stage}`),
        arn: `arn:aws:apigateway:${c.region}::/apis/${api}/stages/${stage}`,
      },
    };
  },
  "aws:apigatewayv2/vpcLink:VpcLink": (c) => {
    const id = c.hex(6);
    return { id, state: { arn: `arn:aws:apigateway:${c.region}::/vpclinks/${id}` } };
  },
  // HTTP API child ids are short lowercase alphanumerics (e.g. integration "a1b2c3d").
  "aws:apigatewayv2/integration:Integration": (c) => ({ id: c.hex(7), state: {} }),
  "aws:apigatewayv2/route:Route": (c) => ({ id: c.hex(7), state: {} }),
  "aws:apigatewayv2/authorizer:Authorizer": (c) => ({ id: c.hex(6), state: {} }),
  "aws:apigateway/restApi:RestApi": (c) => {
    const id = c.hex(10);
    return {
      id,
      state: {
        name: autoName(c.name, c.inputs),
        rootResourceId: c.hex(10).slice(0, 10).replace(/^./, "r"),
        executionArn: arn(c, "execute-api", id),
        arn: `arn:aws:apigateway:${c.region}::/restapis/${id}`,
      },
    };
  },
  "aws:apigateway/stage:Stage": (c) => {
    const api = String(c.inputs.restApi);
    const stage = String(c.inputs.stageName);
    return {
      id: `ags-${api}-${stage}`,
      state: {
        invokeUrl: `https://${api}.execute-api.${c.region}.amazonaws.com/${stage}`,
        executionArn: arn(c, "execute-api", `${api}/${stage}`),
        arn: `arn:aws:apigateway:${c.region}::/restapis/${api}/stages/${stage}`,
      },
    };
  },
  "aws:apigateway/resource:Resource": (c) => ({
    id: c.hex(6),
    state: { path: `/${String(c.inputs.pathPart ?? "")}` },
  }),
  "aws:apigateway/model:Model": (c) => ({ id: c.hex(6), state: {} }),
  "aws:apigateway/requestValidator:RequestValidator": (c) => ({ id: c.hex(6), state: {} }),
  "aws:apigateway/method:Method": (c) => ({
    id: `agm-${String(c.inputs.restApi)}-${String(c.inputs.resourceId)}-${String(c.inputs.httpMethod)}`,
    state: {},
  }),
  "aws:apigateway/integration:Integration": (c) => ({
    id: `agi-${String(c.inputs.restApi)}-${String(c.inputs.resourceId)}-${String(c.inputs.httpMethod)}`,
    state: {},
  }),
  "aws:apigateway/methodResponse:MethodResponse": (c) => ({
    id: `agmr-${String(c.inputs.restApi)}-${String(c.inputs.resourceId)}-${String(c.inputs.httpMethod)}-${String(c.inputs.statusCode)}`,
    state: {},
  }),
  "aws:apigateway/integrationResponse:IntegrationResponse": (c) => ({
    id: `agir-${String(c.inputs.restApi)}-${String(c.inputs.resourceId)}-${String(c.inputs.httpMethod)}-${String(c.inputs.statusCode)}`,
    state: {},
  }),
  "aws:apigateway/response:Response": (c) => ({
    id: `aggr-${String(c.inputs.restApiId)}-${String(c.inputs.responseType)}`,
    state: {},
  }),
  "aws:apigateway/deployment:Deployment": (c) => ({
    id: c.hex(6),
    state: { createdDate: "2026-01-01T00:00:00Z" },
  }),
  "aws:apigateway/methodSettings:MethodSettings": (c) => ({
    id: `${String(c.inputs.restApi)}-${String(c.inputs.stageName)}-${String(c.inputs.methodPath)}`,
    state: {},
  }),
  "aws:apigateway/usagePlan:UsagePlan": (c) => {
    const id = c.hex(6);
    return {
      id,
      state: {
        name: autoName(c.name, c.inputs),
        arn: `arn:aws:apigateway:${c.region}::/usageplans/${id}`,
      },
    };
  },
  "aws:apigateway/usagePlanKey:UsagePlanKey": (c) => ({
    id: String(c.inputs.keyId),
    state: { name: c.name },
  }),
  // The account's API Gateway settings: one per region, id fixed by the provider.
  "aws:apigateway/account:Account": () => ({ id: "api-gateway-account", state: {} }),
  "aws:cloudwatch/logStream:LogStream": (c) => {
    const name = String(c.inputs.name ?? c.name);
    const group = String(c.inputs.logGroupName ?? "group");
    return {
      id: name,
      state: { name, arn: arn(c, "logs", `log-group:${group}:log-stream:${name}`) },
    };
  },
  "aws:apigateway/apiKey:ApiKey": (c) => ({
    id: c.hex(10),
    state: { value: `mock-api-key-${c.hex(20)}` },
  }),
  "aws:ec2/vpc:Vpc": (c) => {
    const id = `vpc-${c.hex(17)}`;
    return {
      id,
      state: {
        arn: arn(c, "ec2", `vpc/${id}`),
        defaultSecurityGroupId: `sg-${c.hex(17).replace(/^./, "d")}`,
        defaultRouteTableId: `rtb-${c.hex(17).replace(/^./, "d")}`,
        defaultNetworkAclId: `acl-${c.hex(17)}`,
        mainRouteTableId: `rtb-${c.hex(17).replace(/^./, "m")}`,
      },
    };
  },
  "aws:ec2/subnet:Subnet": (c) => prefixed(c, "subnet", "subnet"),
  "aws:ec2/securityGroup:SecurityGroup": (c) => {
    const r = prefixed(c, "sg", "security-group");
    return { id: r.id, state: { ...r.state, name: autoName(c.name, c.inputs) } };
  },
  "aws:ec2/internetGateway:InternetGateway": (c) => prefixed(c, "igw", "internet-gateway"),
  "aws:ec2/natGateway:NatGateway": (c) => prefixed(c, "nat", "natgateway"),
  "aws:ec2/eip:Eip": (c) => {
    const id = `eipalloc-${c.hex(17)}`;
    const n = parseInt(c.hex(4), 16);
    return {
      id,
      state: {
        allocationId: id,
        publicIp: `203.0.113.${(n % 254) + 1}`,
        arn: arn(c, "ec2", `elastic-ip/${id}`),
      },
    };
  },
  "aws:ec2/routeTable:RouteTable": (c) => prefixed(c, "rtb", "route-table"),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => {
    const r = prefixed(c, "vpce", "vpc-endpoint");
    const gateway =
      c.inputs.vpcEndpointType === "Gateway" || c.inputs.vpcEndpointType === undefined;
    return {
      id: r.id,
      state: { ...r.state, ...(gateway ? { prefixListId: `pl-${c.hex(8)}` } : {}) },
    };
  },
  "aws:ec2/flowLog:FlowLog": (c) => prefixed(c, "fl", "vpc-flow-log"),
  "aws:ec2/route:Route": (c) => {
    // The provider's id: route table id + hash of the destination.
    const id = `r-${String(c.inputs.routeTableId)}${parseInt(c.hex(8), 16) % 2147483647}`;
    return { id, state: { state: "active", origin: "CreateRoute" } };
  },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": (c) => ({
    id: `rtbassoc-${c.hex(17)}`,
    state: {},
  }),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (c) => {
    const r = prefixed(c, "sg", "security-group");
    return { id: r.id, state: { ...r.state, name: "default", ownerId: c.accountId } };
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (c) => securityGroupRule(c),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (c) => securityGroupRule(c),
  "aws:ecs/cluster:Cluster": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "ecs", `cluster/${name}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:ecs/service:Service": (c) => {
    const name = autoName(c.name, c.inputs);
    const cluster = String(c.inputs.cluster ?? "default")
      .split("/")
      .pop();
    const a = arn(c, "ecs", `service/${cluster}/${name}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:ecs/taskDefinition:TaskDefinition": (c) => {
    const family = String(c.inputs.family ?? c.name);
    const a = arn(c, "ecs", `task-definition/${family}:1`);
    return {
      id: family,
      state: {
        arn: a,
        arnWithoutRevision: arn(c, "ecs", `task-definition/${family}`),
        revision: 1,
      },
    };
  },
  "aws:lb/loadBalancer:LoadBalancer": (c) => {
    const name = autoName(c.name, c.inputs, "name", 32);
    const kind = c.inputs.loadBalancerType === "network" ? "net" : "app";
    const suffix = `${kind}/${name}/${c.hex(16)}`;
    const internal = c.inputs.internal === true ? "internal-" : "";
    return {
      id: arn(c, "elasticloadbalancing", `loadbalancer/${suffix}`),
      state: {
        name,
        arn: arn(c, "elasticloadbalancing", `loadbalancer/${suffix}`),
        arnSuffix: suffix,
        dnsName: `${internal}${name}-${parseInt(c.hex(8), 16)}.${c.region}.elb.amazonaws.com`,
        zoneId: "Z35SXDOTRQ7X7K",
      },
    };
  },
  "aws:lb/targetGroup:TargetGroup": (c) => {
    const name = autoName(c.name, c.inputs, "name", 32);
    const suffix = `targetgroup/${name}/${c.hex(16)}`;
    const a = arn(c, "elasticloadbalancing", suffix);
    return { id: a, state: { name, arn: a, arnSuffix: suffix } };
  },
  "aws:lb/listener:Listener": (c) => {
    const lb = String(c.inputs.loadBalancerArn ?? "");
    const lbPart = lb.includes("loadbalancer/")
      ? lb.split("loadbalancer/")[1]
      : `app/lb/${c.hex(16)}`;
    const a = arn(c, "elasticloadbalancing", `listener/${lbPart}/${c.hex(16)}`);
    return { id: a, state: { arn: a } };
  },
  "aws:lb/listenerRule:ListenerRule": (c) => {
    const listener = String(c.inputs.listenerArn ?? "");
    const a = listener.replace(":listener/", ":listener-rule/") + `/${c.hex(16)}`;
    return { id: a, state: { arn: a } };
  },
  "aws:ecr/repository:Repository": (c) => {
    const name = autoName(c.name, c.inputs).toLowerCase();
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "ecr", `repository/${name}`),
        repositoryUrl: `${c.accountId}.dkr.ecr.${c.region}.amazonaws.com/${name}`,
        registryId: c.accountId,
      },
    };
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (c) => ({
    id: String(c.inputs.repository),
    state: { registryId: c.accountId },
  }),
  "awsx:ecr:Image": (c) => {
    const repo = String(
      c.inputs.repositoryUrl ?? `${c.accountId}.dkr.ecr.${c.region}.amazonaws.com/${c.name}`,
    );
    return { id: c.name, state: { imageUri: `${repo}@sha256:${stableHex(c.name, 64)}` } };
  },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    const a = arn(c, "firehose", `deliverystream/${name}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:glue/catalogDatabase:CatalogDatabase": (c) => {
    const name = autoName(c.name, c.inputs).replace(/-/g, "_");
    return {
      id: `${c.accountId}:${name}`,
      state: { name, arn: arn(c, "glue", `database/${name}`), catalogId: c.accountId },
    };
  },
  "aws:glue/catalogTable:CatalogTable": (c) => {
    const name = autoName(c.name, c.inputs).replace(/-/g, "_");
    const db = String(c.inputs.databaseName ?? "db");
    return {
      id: `${c.accountId}:${db}:${name}`,
      state: { name, arn: arn(c, "glue", `table/${db}/${name}`), catalogId: c.accountId },
    };
  },
  "aws:athena/workgroup:Workgroup": (c) => {
    const name = autoName(c.name, c.inputs);
    return { id: name, state: { name, arn: arn(c, "athena", `workgroup/${name}`) } };
  },
  "aws:athena/namedQuery:NamedQuery": (c) => ({ id: uuid(c.name), state: {} }),
  "aws:cognito/userPool:UserPool": (c) => {
    const id = `${c.region}_${c.hex(9).toUpperCase()}`;
    return {
      id,
      state: {
        name: autoName(c.name, c.inputs),
        arn: arn(c, "cognito-idp", `userpool/${id}`),
        endpoint: `cognito-idp.${c.region}.amazonaws.com/${id}`,
      },
    };
  },
  "aws:cognito/userPoolClient:UserPoolClient": (c) => ({ id: c.hex(26), state: {} }),
  "aws:kinesisanalyticsv2/application:Application": (c) => {
    const name = autoName(c.name, c.inputs);
    return {
      id: arn(c, "kinesisanalytics", `application/${name}`),
      state: { name, arn: arn(c, "kinesisanalytics", `application/${name}`), versionId: 1 },
    };
  },
  "aws:appautoscaling/target:Target": (c) => ({
    id: String(c.inputs.resourceId ?? c.name),
    state: { arn: arn(c, "application-autoscaling", `scalable-target/${c.hex(26)}`) },
  }),
  "aws:appautoscaling/policy:Policy": (c) => {
    const name = autoName(c.name, c.inputs);
    return {
      id: name,
      state: {
        name,
        arn: arn(
          c,
          "autoscaling",
          `scalingPolicy:${uuid(c.name)}:resource/${String(c.inputs.resourceId ?? "")}:policyName/${name}`,
        ),
      },
    };
  },
  "aws:secretsmanager/secret:Secret": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "secretsmanager", `secret:${name}-${c.hex(6)}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:ssm/parameter:Parameter": (c) => {
    const name = autoName(c.name, c.inputs);
    return {
      id: name,
      state: { name, arn: arn(c, "ssm", `parameter/${name.replace(/^\//, "")}`) },
    };
  },
};

function bucket(c: Ctx) {
  // S3 bucket names are lowercase, 3-63 chars, globally unique.
  const name = autoName(c.name, c.inputs, "bucket", 63).toLowerCase();
  return {
    id: name,
    state: {
      bucket: name,
      arn: `arn:aws:s3:::${name}`,
      bucketDomainName: `${name}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${name}.s3.${c.region}.amazonaws.com`,
      region: c.region,
    },
  };
}

function securityGroupRule(c: Ctx) {
  const id = `sgr-${c.hex(17)}`;
  return {
    id,
    state: { securityGroupRuleId: id, arn: arn(c, "ec2", `security-group-rule/${id}`) },
  };
}

function bucketConfig(c: Ctx) {
  return { id: String(c.inputs.bucket), state: {} };
}

function prefixed(c: Ctx, prefix: string, arnType: string) {
  const id = `${prefix}-${c.hex(17)}`;
  return { id, state: { arn: arn(c, "ec2", `${arnType}/${id}`) } };
}

/**
 * The state a resource would have after `pulumi up`: its inputs plus the identifiers AWS assigns.
 * Types without an entry get a generic id and, for custom resources, nothing else, so a missing
 * entry shows up as a missing ARN in tests rather than a plausible-looking wrong one.
 */
export function mockState(
  type: string,
  name: string,
  inputs: Inputs,
  world: MockWorld = DEFAULT_WORLD,
): { id: string; state: Inputs } {
  const fn = STATES[type];
  const hex = (len = 8) => stableHex(`${type}::${name}`, len);
  if (!fn) return { id: `${name}-${hex(8)}`, state: { ...inputs } };
  const r = fn({ ...world, name, inputs, hex });
  return { id: r.id, state: { ...inputs, ...r.state } };
}

/** Types the mock gives real-format identifiers to (tests check every created type is here). */
export const MOCKED_TYPES: readonly string[] = Object.keys(STATES);

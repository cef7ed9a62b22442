/**
 * Cases of the data, API, network and housekeeping rules: DynamoDB protection, Firehose
 * encryption, API access logs, throttling and auth, ECS public IPs, security group ingress, log
 * group retention.
 */
import type { Cases } from "./cases";
import {
  ALB_SG,
  KEY_ARN,
  LB_ARN,
  REST_API,
  STREAM_ARN,
  TASK_SG,
  T,
  goodStack,
  inStack,
  res,
  urnOf,
  withAdded,
  withChange,
  withChanges,
  withRemoved,
  without,
} from "./fixtures";

/** The same fixture deployed to stack `dev`: URNs carry the stack name. */
const devUrn = (type: string, name: string) =>
  urnOf(type, name).replace(/^urn:pulumi:[^:]+::/, "urn:pulumi:dev::");
const prod = { "dynamodb-deletion-protection": { environment: "prod" } };
const devApi = { "api-auth-outside-dev": { environment: "dev" } };
const openRoute = (i: Record<string, unknown>) => ({
  ...without(i, "authorizerId"),
  authorizationType: "NONE",
});

export const API_NETWORK_CASES: Cases = {
  "firehose-encrypted": {
    bad: [
      {
        title: "Direct PUT without server-side encryption",
        resources: withChange(T.firehose, "archive", (i) => without(i, "serverSideEncryption")),
        urn: urnOf(T.firehose, "archive"),
      },
      {
        title: "server-side encryption disabled",
        resources: withChange(T.firehose, "archive", (i) => ({
          ...i,
          serverSideEncryption: { enabled: false },
        })),
        urn: urnOf(T.firehose, "archive"),
      },
    ],
    good: [
      { title: "Direct PUT with a customer key", resources: goodStack() },
      {
        title: "fed by an (encrypted) Kinesis stream",
        resources: withChange(T.firehose, "archive", (i) => ({
          ...without(i, "serverSideEncryption"),
          kinesisSourceConfiguration: {
            kinesisStreamArn: STREAM_ARN,
            roleArn: "arn:aws:iam::123456789012:role/fh",
          },
        })),
      },
    ],
  },
  "dynamodb-pitr": {
    bad: [
      {
        title: "PITR disabled",
        resources: withChange(T.table, "items", (i) => ({
          ...i,
          pointInTimeRecovery: { enabled: false },
        })),
        urn: urnOf(T.table, "items"),
      },
      {
        title: "PITR not set",
        resources: withChange(T.table, "items", (i) => without(i, "pointInTimeRecovery")),
        urn: urnOf(T.table, "items"),
      },
    ],
    good: [{ title: "PITR enabled", resources: goodStack() }],
  },
  "dynamodb-deletion-protection": {
    bad: [
      {
        title: "stack 'test' (not dev) without deletion protection",
        resources: withChange(T.table, "items", (i) => ({
          ...i,
          deletionProtectionEnabled: false,
        })),
        urn: urnOf(T.table, "items"),
      },
      {
        title: "config says prod, whatever the stack is called",
        resources: inStack(
          "dev",
          withChange(T.table, "items", (i) => without(i, "deletionProtectionEnabled")),
        ),
        urn: devUrn(T.table, "items"),
        config: prod,
      },
    ],
    good: [
      { title: "protected", resources: goodStack() },
      {
        title: "stack dev, no config: relaxed",
        resources: inStack(
          "dev",
          withChange(T.table, "items", (i) => without(i, "deletionProtectionEnabled")),
        ),
      },
      {
        title: "config says dev",
        resources: withChange(T.table, "items", (i) => without(i, "deletionProtectionEnabled")),
        config: { "dynamodb-deletion-protection": { environment: "dev" } },
      },
    ],
  },
  "dynamodb-on-demand": {
    bad: [
      {
        title: "provisioned capacity",
        resources: withChange(T.table, "items", (i) => ({
          ...i,
          billingMode: "PROVISIONED",
          readCapacity: 5,
          writeCapacity: 5,
        })),
        urn: urnOf(T.table, "items"),
      },
    ],
    good: [{ title: "PAY_PER_REQUEST", resources: goodStack() }],
  },
  "api-access-logs": {
    bad: [
      {
        title: "HTTP API stage without access logs",
        resources: withChange(T.httpStage, "api", (i) => without(i, "accessLogSettings")),
        urn: urnOf(T.httpStage, "api"),
      },
      {
        title: "REST stage without access logs",
        resources: withChange(T.restStage, "ingest", (i) => without(i, "accessLogSettings")),
        urn: urnOf(T.restStage, "ingest"),
      },
      {
        title: "a destination but no format",
        resources: withChange(T.httpStage, "api", (i) => ({
          ...i,
          accessLogSettings: { destinationArn: KEY_ARN.replace("kms", "logs") },
        })),
        urn: urnOf(T.httpStage, "api"),
      },
    ],
    good: [{ title: "both stages log", resources: goodStack() }],
  },
  "api-throttling": {
    bad: [
      {
        title: "HTTP API stage without throttling",
        resources: withChange(T.httpStage, "api", (i) => without(i, "defaultRouteSettings")),
        urn: urnOf(T.httpStage, "api"),
      },
      {
        title: "REST stage with neither method settings nor a usage plan",
        resources: withRemoved(T.methodSettings, "ingest"),
        urn: urnOf(T.restStage, "ingest"),
      },
      {
        title: "REST method settings for another stage",
        resources: withChange(T.methodSettings, "ingest", (i) => ({ ...i, stageName: "v2" })),
        urn: urnOf(T.restStage, "ingest"),
      },
      {
        title: "REST method settings without limits (-1)",
        resources: withChange(T.methodSettings, "ingest", (i) => ({
          ...i,
          settings: { throttlingRateLimit: -1, throttlingBurstLimit: -1 },
        })),
        urn: urnOf(T.restStage, "ingest"),
      },
    ],
    good: [
      { title: "route defaults and `*/*` method settings", resources: goodStack() },
      {
        title: "REST stage throttled by a usage plan",
        resources: [
          ...withRemoved(T.methodSettings, "ingest"),
          res(T.usagePlan, "producers", {
            apiStages: [{ apiId: REST_API, stage: "v1" }],
            throttleSettings: { rateLimit: 10, burstLimit: 20 },
          }),
        ],
      },
    ],
  },
  "api-auth-outside-dev": {
    bad: [
      {
        title: "open route outside dev",
        resources: withChange(T.route, "items", openRoute),
        urn: urnOf(T.route, "items"),
      },
      {
        title: "route without authorizationType (NONE by default)",
        resources: withChange(T.route, "items", (i) =>
          without(i, "authorizationType", "authorizerId"),
        ),
        urn: urnOf(T.route, "items"),
      },
      {
        title: "REST method behind an API key only",
        resources: withChange(T.method, "ingest-put", (i) => ({
          ...i,
          authorization: "NONE",
          apiKeyRequired: true,
        })),
        urn: urnOf(T.method, "ingest-put"),
      },
    ],
    good: [
      { title: "JWT route, IAM method", resources: goodStack() },
      {
        title: "CORS preflight routes stay open",
        resources: withAdded(
          res(T.route, "preflight", {
            apiId: "a1b2c3d4e5",
            routeKey: "OPTIONS /items",
            authorizationType: "NONE",
          }),
        ),
      },
      {
        title: "dev (by config) may run open APIs",
        resources: withChanges(
          [T.route, "items", openRoute],
          [T.method, "ingest-put", (i) => ({ ...i, authorization: "NONE" })],
        ),
        config: devApi,
      },
      {
        title: "dev (by stack name) may run open APIs",
        resources: inStack("dev", withChange(T.route, "items", openRoute)),
      },
    ],
  },
  "ecs-no-public-ip": {
    bad: [
      {
        title: "public IPs on the tasks",
        resources: withChange(T.ecsService, "web", (i) => ({
          ...i,
          networkConfiguration: {
            ...(i.networkConfiguration as object),
            assignPublicIp: true,
          },
        })),
        urn: urnOf(T.ecsService, "web"),
      },
    ],
    good: [
      { title: "assignPublicIp false", resources: goodStack() },
      {
        title: "assignPublicIp unset (false by default)",
        resources: withChange(T.ecsService, "web", (i) => ({
          ...i,
          networkConfiguration: without(
            i.networkConfiguration as Record<string, unknown>,
            "assignPublicIp",
          ),
        })),
      },
    ],
  },
  "sg-no-public-ingress": {
    bad: [
      {
        title: "SSH from anywhere to the tasks",
        resources: withAdded(
          res(T.ingressRule, "tasks-ssh", {
            securityGroupId: TASK_SG,
            cidrIpv4: "0.0.0.0/0",
            ipProtocol: "tcp",
            fromPort: 22,
            toPort: 22,
          }),
        ),
        urn: urnOf(T.ingressRule, "tasks-ssh"),
      },
      {
        title: "the public load balancer's group open beyond its listener port",
        resources: withChange(T.ingressRule, "public-alb-https", (i) => ({ ...i, fromPort: 80 })),
        urn: urnOf(T.ingressRule, "public-alb-https"),
      },
      {
        title: "the group of an internal load balancer open to the internet",
        resources: withChange(T.loadBalancer, "public", (i) => ({ ...i, internal: true })),
        urn: urnOf(T.ingressRule, "public-alb-https"),
      },
      {
        title: "all traffic from ::/0 inline on a security group",
        resources: withChange(T.securityGroup, "tasks", (i) => ({
          ...i,
          ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }],
        })),
        urn: urnOf(T.securityGroup, "tasks"),
      },
      {
        title: "an aws.ec2.SecurityGroupRule from anywhere",
        resources: withAdded(
          res(T.sgRule, "tasks-https", {
            type: "ingress",
            securityGroupId: TASK_SG,
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"],
          }),
        ),
        urn: urnOf(T.sgRule, "tasks-https"),
      },
    ],
    good: [
      {
        title: "anywhere -> public ALB on its listener port; ALB -> tasks by group",
        resources: goodStack(),
      },
      {
        title: "a second listener port opened by its own rule, over IPv6",
        resources: withAdded(
          res(T.ingressRule, "public-alb-http", {
            securityGroupId: ALB_SG,
            cidrIpv6: "::/0",
            ipProtocol: "tcp",
            fromPort: 80,
            toPort: 80,
          }),
          res(T.listener, "http", { loadBalancerArn: LB_ARN, port: 80, protocol: "HTTP" }),
        ),
      },
      {
        title: "egress-only and private CIDRs",
        resources: withChange(T.securityGroup, "tasks", (i) => ({
          ...i,
          ingress: [{ protocol: "tcp", fromPort: 8080, toPort: 8080, cidrBlocks: ["10.0.0.0/16"] }],
          egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        })),
      },
    ],
  },
  "log-group-retention": {
    bad: [
      {
        title: "a group without retention",
        resources: withAdded(
          res(T.logGroup, "access", { name: "/aws/apigateway/test", kmsKeyId: KEY_ARN }),
        ),
        urn: urnOf(T.logGroup, "access"),
      },
    ],
    good: [{ title: "retention set", resources: goodStack() }],
  },
};

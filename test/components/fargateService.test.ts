import { expect } from "chai";
import {
  FargateCluster,
  FargateService,
  defaultPriority,
  isRoutePath,
  isValidFargateSize,
  secretReadStatement,
} from "../../components/containers/fargateService";
import { allow } from "../../components/security/iam";
import { Network } from "../../components/network/network";
import { RecordedResource, Recorder, installMocks, valueOf } from "../../scripts/harness/recorder";
import { ALARMS_TOPIC_ARN as TOPIC } from "../support/componentFixtures";
import { testArn } from "../support/testAccount";

const T = {
  cluster: "aws:ecs/cluster:Cluster",
  service: "aws:ecs/service:Service",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  api: "aws:apigatewayv2/api:Api",
  stage: "aws:apigatewayv2/stage:Stage",
  vpcLink: "aws:apigatewayv2/vpcLink:VpcLink",
  integration: "aws:apigatewayv2/integration:Integration",
  route: "aws:apigatewayv2/route:Route",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  rule: "aws:lb/listenerRule:ListenerRule",
  tg: "aws:lb/targetGroup:TargetGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  repo: "aws:ecr/repository:Repository",
  lifecycle: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  image: "awsx:ecr:Image",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  userPool: "aws:cognito/userPool:UserPool",
  userPoolClient: "aws:cognito/userPoolClient:UserPoolClient",
};

const KEY = testArn("kms", "key/0f6b1a4e-aaaa-4bbb-8ccc-123456789012");
const TABLE = testArn("dynamodb", "table/items");
const SECRET = testArn("secretsmanager", "secret:db-password-AbCdEf:password::");
const PARAM = testArn("ssm", "parameter/shop/feature-flags");
const PULLED_REPO = testArn("ecr", "repository/orders");
const FIXTURE_DOCKERFILE = "test/fixtures/containers/echo/Dockerfile";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: { Service?: string };
  Condition?: Record<string, Record<string, string>>;
}
interface Container {
  name: string;
  image: string;
  portMappings: { containerPort: number; protocol: string }[];
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  healthCheck: { command: string[] };
  logConfiguration: { logDriver: string; options: Record<string, string> };
  readonlyRootFilesystem: boolean;
  stopTimeout: number;
  linuxParameters: { initProcessEnabled: boolean };
}

const list = <V>(v: V | V[] | undefined): V[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const statementsOf = (json: unknown): Statement[] =>
  (JSON.parse(String(json)) as { Statement: Statement[] }).Statement;

/** Cloud resources recorded so far, to prove a failed constructor created no child. */
const snapshot = (rec: Recorder) => rec.resources.filter((r) => r.custom).length;

describe("FargateCluster + FargateService: three services sharing one cluster", () => {
  let rec: Recorder;
  let network: Network;
  let cluster: FargateCluster;
  let items: FargateService;
  let orders: FargateService;
  let worker: FargateService;
  /** Resolved ids (the recorder keeps state, ids are on the resources). */
  const id: Record<string, string> = {};
  let privateSubnetIds: string[];
  const get = (type: string, name: string) => rec.get(type, name);
  const container = (name: string): Container =>
    (JSON.parse(String(get(T.taskDef, name).inputs.containerDefinitions)) as Container[])[0];
  const rulesOf = (type: string, sgName: string): RecordedResource[] =>
    rec.byType(type).filter((r) => r.inputs.securityGroupId === id[sgName]);

  before(async () => {
    rec = installMocks({ stack: "fargate-test" });
    network = new Network("net", {});
    cluster = new FargateCluster("shop", {
      network,
      alarmTopicArn: TOPIC,
      logKmsKeyArn: KEY,
      logRetentionDays: 30,
    });
    items = new FargateService("items", {
      cluster,
      image: { dockerfile: FIXTURE_DOCKERFILE },
      paths: ["/items"],
      keepImages: 5,
      environment: { TABLE_NAME: "items", LOG_LEVEL: "INFO" },
      secrets: { DB_PASSWORD: SECRET, FLAGS: PARAM },
      secretsKmsKeyArns: [KEY],
      statements: [allow(["dynamodb:GetItem", "dynamodb:PutItem"], [TABLE])],
    });
    orders = new FargateService("orders", {
      cluster,
      image: {
        uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders@sha256:abc",
        repositoryArn: PULLED_REPO,
      },
      paths: ["/orders", "/carts"],
      cpu: 512,
      memory: 1024,
      desiredCount: 3,
      autoscaling: { maxCount: 10, cpuTargetPercent: 50, requestsPerTarget: 300 },
      stopTimeoutSeconds: 60,
    });
    worker = new FargateService("worker", {
      cluster,
      image: { uri: "public.ecr.aws/docker/library/busybox:1.37" },
      healthCheckCommand: ["CMD-SHELL", "true"],
    });
    await rec.settle();
    privateSubnetIds = await valueOf(network.privateSubnetIds);
    const named = {
      "shop-vpclink": cluster.vpcLinkSecurityGroup.id,
      "shop-alb": cluster.loadBalancerSecurityGroup.id,
      "items-tasks": items.securityGroup.id,
      "orders-tasks": orders.securityGroup.id,
      "worker-tasks": worker.securityGroup.id,
      vpcLink: cluster.vpcLink.id,
      integration: cluster.integration.id,
      api: cluster.api.id,
      authorizer: cluster.authorizer!.id,
      userPool: cluster.userPool!.id,
      userPoolClient: cluster.userPoolClient!.id,
    };
    for (const [k, v] of Object.entries(named)) id[k] = await valueOf(v);
  });

  it("creates one cluster, API, stage, VPC link, load balancer, listener and integration for all", () => {
    for (const type of [T.cluster, T.api, T.stage, T.vpcLink, T.lb, T.listener, T.integration]) {
      expect(rec.byType(type), type).to.have.length(1);
    }
    expect(rec.byType(T.service)).to.have.length(3);
    expect(items.loadBalancer).to.equal(cluster.loadBalancer);
    expect(items.api).to.equal(cluster.api);
  });

  it("puts the VPC link, an internal load balancer and every task in the private subnets", () => {
    const subnetIds = privateSubnetIds;
    expect(subnetIds).to.have.length(2);
    expect(get(T.vpcLink, "shop").inputs.subnetIds).to.deep.equal(subnetIds);
    const lb = get(T.lb, "shop").inputs;
    expect(lb).to.include({
      internal: true,
      loadBalancerType: "application",
      dropInvalidHeaderFields: true,
    });
    expect(lb.subnets).to.deep.equal(subnetIds);
    for (const name of ["items", "orders", "worker"]) {
      const net = get(T.service, name).inputs.networkConfiguration as Record<string, unknown>;
      expect(net.subnets, name).to.deep.equal(subnetIds);
      expect(net.assignPublicIp, name).to.equal(false);
      expect(net.securityGroups, name).to.deep.equal([id[`${name}-tasks`]]);
    }
  });

  it("routes API -> VPC link -> listener: an HTTP_PROXY private integration on the listener ARN", () => {
    expect(get(T.integration, "shop").inputs).to.include({
      integrationType: "HTTP_PROXY",
      integrationMethod: "ANY",
      connectionType: "VPC_LINK",
      connectionId: id.vpcLink,
      integrationUri: get(T.listener, "shop").state.arn,
      apiId: id.api,
    });
    const listener = get(T.listener, "shop").inputs;
    expect(listener).to.include({
      port: 80,
      protocol: "HTTP",
      loadBalancerArn: get(T.lb, "shop").state.arn,
    });
    expect(listener.defaultActions).to.deep.equal([
      {
        type: "fixed-response",
        fixedResponse: {
          contentType: "application/json",
          statusCode: "404",
          messageBody: JSON.stringify({
            error: { status: 404, message: "no route for this path" },
          }),
        },
      },
    ]);
  });

  it("admits only the previous hop: VPC link -> load balancer -> tasks, by security group", () => {
    const sgId = (n: string) => id[n];
    // VPC link: no ingress, egress only to the load balancer's group on the listener port.
    expect(rulesOf(T.ingress, "shop-vpclink")).to.have.length(0);
    expect(rulesOf(T.egress, "shop-vpclink").map((r) => r.inputs)).to.deep.equal([
      {
        securityGroupId: sgId("shop-vpclink"),
        description: "To the load balancer listener",
        ipProtocol: "tcp",
        fromPort: 80,
        toPort: 80,
        referencedSecurityGroupId: sgId("shop-alb"),
      },
    ]);
    // Load balancer: in only from the VPC link; out only to tasks of services with routes.
    const albIn = rulesOf(T.ingress, "shop-alb").map((r) => r.inputs);
    expect(albIn).to.have.length(1);
    expect(albIn[0]).to.include({
      fromPort: 80,
      toPort: 80,
      referencedSecurityGroupId: sgId("shop-vpclink"),
    });
    const albOut = rulesOf(T.egress, "shop-alb").map((r) => r.inputs);
    expect(albOut.map((r) => r.referencedSecurityGroupId).sort()).to.deep.equal(
      [sgId("items-tasks"), sgId("orders-tasks")].sort(),
    );
    for (const r of albOut) expect(r).to.include({ fromPort: 8080, toPort: 8080 });
    // Tasks: in only from the load balancer on the container port; out only HTTPS.
    for (const name of ["items", "orders"]) {
      const tasksIn = rulesOf(T.ingress, `${name}-tasks`).map((r) => r.inputs);
      expect(tasksIn, name).to.have.length(1);
      expect(tasksIn[0]).to.include({
        fromPort: 8080,
        toPort: 8080,
        referencedSecurityGroupId: sgId("shop-alb"),
      });
    }
    expect(rulesOf(T.ingress, "worker-tasks"), "a worker admits nothing").to.have.length(0);
    for (const name of ["items", "orders", "worker"]) {
      for (const r of rulesOf(T.egress, `${name}-tasks`))
        expect(r.inputs).to.include({ fromPort: 443, toPort: 443 });
    }
    // Nothing these components create admits an address range.
    const ours = new Set(
      ["shop-vpclink", "shop-alb", "items-tasks", "orders-tasks", "worker-tasks"].map(sgId),
    );
    for (const r of rec
      .byType(T.ingress)
      .filter((x) => ours.has(x.inputs.securityGroupId as string))) {
      expect(r.inputs, r.name).not.to.have.property("cidrIpv4");
      expect(r.inputs, r.name).not.to.have.property("cidrIpv6");
    }
  });

  it("shares the API with path routes: each prefix and everything below it, to the one integration", () => {
    const target = `integrations/${id.integration}`;
    const routes = rec.byType(T.route).map((r) => r.inputs);
    expect(routes.map((r) => r.routeKey).sort()).to.deep.equal(
      [
        "ANY /carts",
        "ANY /carts/{proxy+}",
        "ANY /items",
        "ANY /items/{proxy+}",
        "ANY /orders",
        "ANY /orders/{proxy+}",
      ].sort(),
    );
    for (const r of routes) {
      expect(r.target).to.equal(target);
      expect(r.authorizationType).to.equal("JWT");
      expect(r.authorizerId).to.equal(id.authorizer);
    }
  });

  it("forwards each path to its own target group with a path rule at a distinct priority", () => {
    const rules = rec.byType(T.rule);
    expect(rules.map((r) => r.name).sort()).to.deep.equal(["items-0", "orders-0", "orders-1"]);
    const priorities = rules.map((r) => r.inputs.priority);
    expect(new Set(priorities).size).to.equal(3);
    const rule = (n: string) => get(T.rule, n).inputs;
    expect(rule("items-0").listenerArn).to.equal(get(T.listener, "shop").state.arn);
    expect(rule("items-0").conditions).to.deep.equal([
      { pathPattern: { values: ["/items", "/items/*"] } },
    ]);
    expect(rule("orders-1").conditions).to.deep.equal([
      { pathPattern: { values: ["/carts", "/carts/*"] } },
    ]);
    expect(rule("items-0").actions).to.deep.equal([
      { type: "forward", targetGroupArn: get(T.tg, "items").state.arn },
    ]);
    expect(rule("orders-1").priority).to.equal((rule("orders-0").priority as number) + 1);
    expect(rule("items-0").priority).to.equal(defaultPriority("items"));
    const tg = get(T.tg, "items").inputs;
    expect(tg).to.include({
      targetType: "ip",
      protocol: "HTTP",
      port: 8080,
      deregistrationDelay: 30,
    });
    expect(tg.healthCheck).to.include({ path: "/health", matcher: "200" });
    expect(
      rec
        .byType(T.tg)
        .map((t) => t.name)
        .sort(),
    ).to.deep.equal(["items", "orders"]);
  });

  it("defines ARM64 tasks with a health check, awslogs to a retained, encrypted group, env and secrets by ARN", () => {
    const td = get(T.taskDef, "items").inputs;
    expect(td).to.include({
      cpu: "256",
      memory: "512",
      networkMode: "awsvpc",
      family: "aws-serverless-flows-fargate-test-items",
    });
    expect(td.requiresCompatibilities).to.deep.equal(["FARGATE"]);
    expect(td.runtimePlatform).to.deep.equal({
      operatingSystemFamily: "LINUX",
      cpuArchitecture: "ARM64",
    });
    expect(get(T.taskDef, "orders").inputs).to.include({ cpu: "512", memory: "1024" });
    const c = container("items");
    expect(c.image).to.equal(get(T.image, "items").state.imageUri);
    expect(c.image).to.match(
      /\.dkr\.ecr\.us-east-1\.amazonaws\.com\/items-[0-9a-f]+@sha256:[0-9a-f]{64}$/,
    );
    expect(c.portMappings).to.deep.equal([
      { containerPort: 8080, protocol: "tcp", name: "http", appProtocol: "http" },
    ]);
    expect(c.healthCheck.command.join(" ")).to.contain("http://127.0.0.1:8080/health");
    expect(c).to.include({ readonlyRootFilesystem: true, stopTimeout: 30 });
    expect(c.linuxParameters).to.deep.equal({ initProcessEnabled: true });
    expect(container("orders").stopTimeout).to.equal(60);
    expect(container("worker").healthCheck.command).to.deep.equal(["CMD-SHELL", "true"]);
    const group = get(T.logGroup, "items");
    expect(group.inputs).to.include({
      retentionInDays: 30,
      kmsKeyId: KEY,
      name: "/ecs/aws-serverless-flows-fargate-test/items",
    });
    expect(c.logConfiguration.logDriver).to.equal("awslogs");
    expect(c.logConfiguration.options).to.include({
      "awslogs-group": group.state.name,
      "awslogs-region": "us-east-1",
      "awslogs-stream-prefix": "items",
      mode: "non-blocking",
    });
    expect(c.environment).to.deep.equal([
      { name: "AWS_REGION", value: "us-east-1" },
      { name: "LOG_LEVEL", value: "INFO" },
      { name: "PORT", value: "8080" },
      // Powertools Metrics: the stack's namespace, the service's own series.
      { name: "POWERTOOLS_METRICS_NAMESPACE", value: "aws-serverless-flows/fargate-test" },
      { name: "POWERTOOLS_SERVICE_NAME", value: "items" },
      { name: "TABLE_NAME", value: "items" },
    ]);
    expect(c.secrets).to.deep.equal([
      { name: "DB_PASSWORD", valueFrom: SECRET },
      { name: "FLAGS", valueFrom: PARAM },
    ]);
  });

  it("builds the image from the Dockerfile into a repository that scans on push and keeps the last N", () => {
    const repo = get(T.repo, "items");
    expect(repo.inputs.imageScanningConfiguration).to.deep.equal({ scanOnPush: true });
    expect(repo.inputs.encryptionConfigurations).to.deep.equal([{ encryptionType: "KMS" }]);
    expect(repo.inputs.forceDelete).to.equal(false);
    const lifecycle = get(T.lifecycle, "items").inputs;
    expect(lifecycle.repository).to.equal(repo.state.name);
    expect(JSON.parse(String(lifecycle.policy)).rules).to.deep.equal([
      {
        rulePriority: 1,
        description: "Keep the last 5 images",
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 },
        action: { type: "expire" },
      },
    ]);
    expect(get(T.image, "items").inputs).to.deep.equal({
      repositoryUrl: repo.state.repositoryUrl,
      context: ".",
      dockerfile: FIXTURE_DOCKERFILE,
      platform: "linux/arm64",
    });
    expect(
      rec.byType(T.repo).map((r) => r.name),
      "given images need no repository",
    ).to.deep.equal(["items"]);
    expect(container("orders").image).to.equal(
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders@sha256:abc",
    );
  });

  it("gives each service a task role with exactly its statements and a separate execution role", () => {
    const td = get(T.taskDef, "items").inputs;
    expect(td.taskRoleArn).to.equal(get(T.role, "items-task").state.arn);
    expect(td.executionRoleArn).to.equal(get(T.role, "items-execution").state.arn);
    for (const role of ["items-task", "items-execution"]) {
      const [trust] = statementsOf(get(T.role, role).inputs.assumeRolePolicy);
      expect(trust.Principal).to.deep.equal({ Service: "ecs-tasks.amazonaws.com" });
      expect(trust.Condition).to.deep.equal({
        StringEquals: { "aws:SourceAccount": "123456789012" },
      });
    }
    expect(statementsOf(get(T.rolePolicy, "items-task").inputs.policy)).to.deep.equal([
      { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: [TABLE] },
    ]);
    expect(rec.byType(T.rolePolicy).map((p) => p.name)).not.to.include("orders-task");

    const exec = statementsOf(get(T.rolePolicy, "items-execution").inputs.policy);
    const find = (action: string) => exec.filter((s) => list(s.Action).includes(action));
    expect(find("logs:PutLogEvents")[0].Resource).to.deep.equal([
      `${get(T.logGroup, "items").state.arn}:*`,
    ]);
    expect(find("ecr:GetAuthorizationToken")[0].Resource).to.deep.equal(["*"]);
    expect(find("ecr:BatchGetImage")[0].Resource).to.deep.equal([get(T.repo, "items").state.arn]);
    expect(find("secretsmanager:GetSecretValue")[0].Resource).to.deep.equal([
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password-AbCdEf",
    ]);
    expect(find("ssm:GetParameters")[0].Resource).to.deep.equal([PARAM]);
    expect(find("kms:Decrypt")[0].Resource).to.deep.equal([KEY]);
    const allActions = exec.flatMap((s) => list(s.Action));
    expect(allActions).not.to.include("dynamodb:GetItem");

    const ordersExec = statementsOf(get(T.rolePolicy, "orders-execution").inputs.policy);
    expect(
      ordersExec.find((s) => list(s.Action).includes("ecr:BatchGetImage"))?.Resource,
    ).to.deep.equal([PULLED_REPO]);
    const workerActions = statementsOf(get(T.rolePolicy, "worker-execution").inputs.policy).flatMap(
      (s) => list(s.Action),
    );
    expect(workerActions, "a public image needs no ECR grant").to.deep.equal([
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]);
  });

  it("runs services with no public IP, a rollback circuit breaker, and after their listener rules exist", () => {
    const svc = get(T.service, "items");
    expect(svc.inputs).to.include({
      launchType: "FARGATE",
      desiredCount: 2,
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      healthCheckGracePeriodSeconds: 60,
      enableExecuteCommand: false,
      cluster: get(T.cluster, "shop").state.arn,
      taskDefinition: get(T.taskDef, "items").state.arn,
    });
    expect(svc.inputs.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
    expect(svc.inputs.loadBalancers).to.deep.equal([
      { targetGroupArn: get(T.tg, "items").state.arn, containerName: "items", containerPort: 8080 },
    ]);
    expect(svc.dependsOn).to.include(get(T.rule, "items-0").urn);
    expect(get(T.service, "orders").dependsOn).to.include.members([
      get(T.rule, "orders-0").urn,
      get(T.rule, "orders-1").urn,
    ]);
    expect(get(T.service, "worker").inputs).not.to.have.property("loadBalancers");
  });

  it("scales on CPU and on requests per target within min/max", () => {
    const target = get(T.scalingTarget, "orders").inputs;
    expect(target).to.include({
      minCapacity: 3,
      maxCapacity: 10,
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
    });
    expect(target.resourceId).to.equal(
      `service/${get(T.cluster, "shop").state.name}/${get(T.service, "orders").state.name}`,
    );
    const cpu = get(T.scalingPolicy, "orders-cpu").inputs;
    expect(cpu.policyType).to.equal("TargetTrackingScaling");
    expect(cpu.resourceId).to.equal(target.resourceId);
    expect(cpu.targetTrackingScalingPolicyConfiguration).to.deep.include({
      targetValue: 50,
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
    });
    const requests = get(T.scalingPolicy, "orders-requests").inputs
      .targetTrackingScalingPolicyConfiguration as Record<string, unknown>;
    expect(requests.targetValue).to.equal(300);
    expect(requests.predefinedMetricSpecification).to.deep.equal({
      predefinedMetricType: "ALBRequestCountPerTarget",
      resourceLabel: `${get(T.lb, "shop").state.arnSuffix}/${get(T.tg, "orders").state.arnSuffix}`,
    });
    expect(get(T.scalingTarget, "items").inputs).to.include({ minCapacity: 2, maxCapacity: 6 });
    expect(
      rec
        .byType(T.scalingPolicy)
        .map((p) => p.name)
        .filter((n) => n.startsWith("worker")),
    ).to.deep.equal(["worker-cpu"]);
  });

  it("alarms on unhealthy targets, target 5xx, CPU and memory per service, and on the API and load balancer", () => {
    const alarm = (n: string) => get(T.alarm, n).inputs;
    const lbDims = {
      TargetGroup: get(T.tg, "items").state.arnSuffix,
      LoadBalancer: get(T.lb, "shop").state.arnSuffix,
    };
    expect(alarm("items-unhealthy")).to.deep.include({
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions: lbDims,
      statistic: "Maximum",
    });
    expect(alarm("items-5xx")).to.deep.include({
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions: lbDims,
    });
    expect(alarm("items-cpu-high")).to.deep.include({
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      threshold: 85,
      dimensions: {
        ClusterName: get(T.cluster, "shop").state.name,
        ServiceName: get(T.service, "items").state.name,
      },
    });
    expect(alarm("shop-api-5xx-rate")).to.deep.include({
      namespace: "AWS/ApiGateway",
      metricName: "5xx",
      statistic: "Average",
      threshold: 0.05,
    });
    expect(alarm("shop-alb-5xx")).to.deep.include({ metricName: "HTTPCode_ELB_5XX_Count" });
    expect(
      rec
        .byType(T.alarm)
        .map((a) => a.name)
        .filter((n) => n.startsWith("worker"))
        .sort(),
    ).to.deep.equal(["worker-cpu-high", "worker-memory-high"]);
    for (const a of rec.byType(T.alarm))
      expect(a.inputs.alarmActions, a.name).to.deep.equal([TOPIC]);
  });

  it("protects the API with a Cognito JWT authorizer and logs access as JSON to a retained group", () => {
    expect(rec.byType(T.userPool)).to.have.length(1);
    const authorizer = get(T.authorizer, "shop").inputs;
    expect(authorizer).to.deep.include({
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      jwtConfiguration: {
        audiences: [id.userPoolClient],
        issuer: `https://cognito-idp.us-east-1.amazonaws.com/${id.userPool}`,
      },
    });
    const stage = get(T.stage, "shop").inputs;
    expect(stage).to.include({ name: "$default", autoDeploy: true });
    expect((stage.accessLogSettings as { destinationArn: string }).destinationArn).to.equal(
      get(T.logGroup, "shop-api").state.arn,
    );
    expect(JSON.parse((stage.accessLogSettings as { format: string }).format)).to.have.property(
      "status",
      "$context.status",
    );
    expect(stage.defaultRouteSettings).to.include({
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
    });
    expect(get(T.logGroup, "shop-api").inputs).to.include({ retentionInDays: 30, kmsKeyId: KEY });
    expect(get(T.lb, "shop").inputs.enableDeletionProtection).to.equal(true);
  });
});

describe("FargateService on its own, auth modes, TLS and transforms", () => {
  let rec: Recorder;
  before(async () => {
    rec = installMocks({ stack: "fargate-modes" });
    const network = new Network("net", { natGateways: "none" });
    new FargateService("solo", {
      network,
      clusterArgs: { auth: "iam", deletionProtection: false },
      image: { uri: "public.ecr.aws/x/solo:1" },
      paths: ["/solo"],
      transform: {
        service: { propagateTags: "TASK_DEFINITION" },
        taskDefinition: (a) => ({ ...a, ephemeralStorage: { sizeInGib: 30 } }),
      },
    });
    const open = new FargateCluster("open", { network, auth: "none" });
    new FargateService("pub", {
      cluster: open,
      image: { uri: "public.ecr.aws/x/pub:1" },
      paths: ["/pub"],
    });
    new FargateCluster("tls", {
      network,
      tls: {
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        serverName: "internal.example.com",
      },
      cognito: { userPoolId: "us-east-1_AbC123", clientIds: ["client1"] },
    });
    await rec.settle();
  });

  it("creates a cluster of its own when given only a network, with the auth it asks for", () => {
    expect(rec.get(T.cluster, "solo").inputs.settings).to.deep.equal([
      { name: "containerInsights", value: "enabled" },
    ]);
    const routes = rec.byType(T.route).filter((r) => r.name.startsWith("solo"));
    expect(routes.map((r) => r.inputs.authorizationType)).to.deep.equal(["AWS_IAM", "AWS_IAM"]);
    expect(rec.get(T.lb, "solo").inputs.enableDeletionProtection).to.equal(false);
    const open = rec.byType(T.route).filter((r) => r.name.startsWith("pub"));
    expect(open.map((r) => r.inputs.authorizationType)).to.deep.equal(["NONE", "NONE"]);
    expect(rec.byType(T.authorizer).map((a) => a.name)).to.deep.equal(["tls"]);
  });

  it("applies transform hooks (object merge and function)", () => {
    expect(rec.get(T.service, "solo").inputs.propagateTags).to.equal("TASK_DEFINITION");
    expect(rec.get(T.taskDef, "solo").inputs.ephemeralStorage).to.deep.equal({ sizeInGib: 30 });
  });

  it("with tls: an HTTPS listener on 443 with a TLS 1.3 policy, verified by the integration", () => {
    const listener = rec.get(T.listener, "tls").inputs;
    expect(listener).to.include({
      port: 443,
      protocol: "HTTPS",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    });
    expect(rec.get(T.integration, "tls").inputs.tlsConfig).to.deep.equal({
      serverNameToVerify: "internal.example.com",
    });
    const albIn = rec.byType(T.ingress).find((r) => r.name === "tls-alb-from-vpclink")!.inputs;
    expect(albIn).to.include({ fromPort: 443, toPort: 443 });
    // An existing user pool is used, not created.
    expect(rec.byType(T.userPool)).to.have.length(0);
    expect(rec.get(T.authorizer, "tls").inputs.jwtConfiguration).to.deep.equal({
      audiences: ["client1"],
      issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
    });
  });

  it("reaches AWS through the VPC's endpoints when the network has no NAT", () => {
    const egress = rec.byType(T.egress).filter((r) => r.name.startsWith("solo-tasks-"));
    expect(egress.map((r) => r.name).sort()).to.deep.equal([
      "solo-tasks-https-dynamodb",
      "solo-tasks-https-s3",
      "solo-tasks-https-vpc",
    ]);
  });
});

describe("FargateService argument validation", () => {
  let rec: Recorder;
  let network: Network;
  let cluster: FargateCluster;
  before(async () => {
    rec = installMocks({ stack: "fargate-invalid" });
    network = new Network("net", {});
    cluster = new FargateCluster("c", { network, auth: "none" });
    new FargateService("first", { cluster, image: { uri: "x/y:1" }, paths: ["/items"] });
    await rec.settle();
  });

  const cases: [string, () => unknown, RegExp][] = [
    [
      "cpu/memory",
      () => new FargateService("a", { cluster, image: { uri: "x" }, cpu: 256, memory: 4096 }),
      /cpu\/memory: 256 CPU units with 4096 MiB is not a Fargate size/,
    ],
    [
      "secret-like env",
      () =>
        new FargateService("a", {
          cluster,
          image: { uri: "x" },
          environment: { DB_PASSWORD: "hunter2" },
        }),
      /environment: DB_PASSWORD look like secrets.*fix: move them to `secrets`/,
    ],
    [
      "secret value",
      () =>
        new FargateService("a", { cluster, image: { uri: "x" }, secrets: { TOKEN: "plain-text" } }),
      /secrets: TOKEN are not Secrets Manager or SSM Parameter ARNs/,
    ],
    [
      "dockerfile",
      () =>
        new FargateService("a", { cluster, image: { dockerfile: "functions/nope/Dockerfile" } }),
      /image.dockerfile: functions\/nope\/Dockerfile does not exist/,
    ],
    [
      "duplicate path",
      () => new FargateService("second", { cluster, image: { uri: "x" }, paths: ["/items"] }),
      /paths: \/items already routed to service "first" on cluster "c"/,
    ],
    [
      "same priority",
      () =>
        new FargateService("third", {
          cluster,
          image: { uri: "x" },
          paths: ["/third"],
          priority: 10 * 1 + defaultPriority("first") - 10,
        }),
      /priority.*already used by service "first"/,
    ],
    [
      "no cluster",
      () => new FargateService("a", { image: { uri: "x" } }),
      /cluster\/network: neither is given/,
    ],
    [
      "both network and cluster",
      () => new FargateService("a", { cluster, network, image: { uri: "x" } }),
      /FargateService "a"[\s\S]*cluster\/network: both are given[\s\S]*fix: pass only `cluster`/,
    ],
    [
      "nested path",
      () =>
        new FargateService("nested", { cluster, image: { uri: "x" }, paths: ["/items/special"] }),
      /paths: \/items\/special nest with paths of service "first" \(\/items\)/,
    ],
    [
      "bad path",
      () => new FargateService("a", { cluster, image: { uri: "x" }, paths: ["/items/"] }),
      /paths: \/items\/ not valid/,
    ],
    [
      "stop timeout",
      () => new FargateService("a", { cluster, image: { uri: "x" }, stopTimeoutSeconds: 300 }),
      /stopTimeoutSeconds: 300 is outside 2-120/,
    ],
    [
      "desired outside autoscaling",
      () =>
        new FargateService("a", {
          cluster,
          image: { uri: "x" },
          desiredCount: 8,
          autoscaling: { maxCount: 4 },
        }),
      /autoscaling: minCount 8 \/ maxCount 4/,
    ],
    [
      "wildcard grant",
      () =>
        new FargateService("a", {
          cluster,
          image: { uri: "x" },
          statements: [allow(["dynamodb:*"], [TABLE])],
        }),
      /statements: statement 0 allows wildcard action "dynamodb:\*"/,
    ],
    [
      "privileged port",
      () => new FargateService("a", { cluster, image: { uri: "x" }, containerPort: 80 }),
      /containerPort: 80 is not an unprivileged port/,
    ],
    [
      "long name",
      () => new FargateService("a-very-long-service-name-x", { cluster, image: { uri: "x" } }),
      /name: "a-very-long-service-name-x" is longer than 24/,
    ],
    [
      "cluster cors",
      () => new FargateCluster("d", { network, cors: { origins: ["*"] } }),
      /FargateCluster "d".*\n.*cors.origins: \* not exact origins/,
    ],
    [
      "cluster cognito without auth",
      () => new FargateCluster("d", { network, auth: "iam", cognito: { userPoolId: "p" } }),
      /cognito: given while auth is "iam"/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(`rejects ${what} with one clear error, before creating anything`, async () => {
      await rec.settle();
      const before = snapshot(rec);
      expect(make).to.throw(message);
      await rec.settle();
      expect(snapshot(rec) - before, "resources created").to.equal(0);
    });
  }

  it("lists every problem in one error naming the component and service", () => {
    expect(
      () =>
        new FargateService("many", {
          cluster,
          image: { uri: "x" },
          cpu: 300,
          containerPort: 22,
          keepImages: 0,
        }),
    ).to.throw(
      /^FargateService "many" has invalid arguments:\n {2}- cpu\/memory[\s\S]*containerPort[\s\S]*keepImages/,
    );
  });
});

describe("fargateService helpers", () => {
  it("knows Fargate's CPU/memory pairs", () => {
    expect(isValidFargateSize(256, 512)).to.equal(true);
    expect(isValidFargateSize(256, 2048)).to.equal(true);
    expect(isValidFargateSize(256, 3072)).to.equal(false);
    expect(isValidFargateSize(1024, 2048)).to.equal(true);
    expect(isValidFargateSize(1024, 2560)).to.equal(false);
    expect(isValidFargateSize(8192, 20480)).to.equal(true);
    expect(isValidFargateSize(300, 512)).to.equal(false);
  });

  it("grants the execution role exactly the secret or parameter named", () => {
    expect(secretReadStatement(SECRET)).to.deep.equal({
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password-AbCdEf"],
    });
    expect(secretReadStatement(PARAM).Action).to.deep.equal(["ssm:GetParameters"]);
    expect(() => secretReadStatement("s3cr3t")).to.throw(
      /not a Secrets Manager secret or SSM parameter ARN/,
    );
  });

  it("derives stable, spaced listener-rule priorities and checks path prefixes", () => {
    expect(defaultPriority("orders")).to.equal(defaultPriority("orders"));
    expect(defaultPriority("orders") % 10).to.equal(0);
    expect(defaultPriority("orders")).to.be.within(10, 50_000);
    expect(["/items", "/a/b-c.d"].every(isRoutePath)).to.equal(true);
    expect(["items", "/items/", "/items/*", "/{id}", "/"].some(isRoutePath)).to.equal(false);
  });
});

import { expect } from "chai";
import {
  containerDefinition,
  fargateServiceErrors,
  keepLastImagesPolicy,
  planFargateService,
  routeResourceName,
} from "../../components/containers/fargateServicePlan";
import type { FargateCluster } from "../../components/containers/fargateCluster";
import {
  type ServiceMetricsSource,
  fargateServiceWidgets,
} from "../../components/containers/fargateServiceMonitoring";
import { metric } from "../../components/observability/flowDashboard";
import { businessMetricsNamespace } from "../../components/observability/widgets";
import {
  CONTAINER_METRICS,
  SERVICE_DIMENSION,
  powertoolsEnv,
} from "../../functions/lib/businessMetrics";
import { installMocks } from "../../scripts/harness/recorder";
import type { NetworkRef } from "../../components/containers/fargateCluster";

const IMAGE = { uri: "public.ecr.aws/x/y@sha256:abc" };
const PARAM_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/t";

describe("fargateServicePlan (pure planning of a FargateService)", () => {
  it("resolves defaults: min follows desired, max at least 6, no Dockerfile for a URI", () => {
    const p = planFargateService({ image: IMAGE, desiredCount: 8 });
    expect(p).to.include({ cpu: 256, memory: 512, arch: "ARM64", port: 8080, desired: 8 });
    expect(p).to.include({ minCount: 8, maxCount: 8, healthPath: "/health", retention: 14 });
    expect(p.dockerfile).to.equal(undefined);
    expect(planFargateService({ image: IMAGE }).maxCount).to.equal(6);
  });

  it("sorts variables and secrets by name and sets PORT, AWS_REGION and Powertools' two", () => {
    const p = planFargateService({
      image: IMAGE,
      containerPort: 9000,
      environment: { ZED: "z", ALPHA: "a" },
      secrets: { TOKEN: "arn:aws:ssm:us-east-1:123456789012:parameter/t", API: "arn:x" },
    });
    const c = containerDefinition("svc", p, {
      image: "img",
      region: "eu-west-1",
      logGroupName: "lg",
    });
    expect(c.environment.map((e) => e.name)).to.deep.equal([
      "ALPHA",
      "AWS_REGION",
      "PORT",
      "POWERTOOLS_METRICS_NAMESPACE",
      "POWERTOOLS_SERVICE_NAME",
      "ZED",
    ]);
    expect(c.environment.find((e) => e.name === "PORT")?.value).to.equal("9000");
    expect(c.secrets.map((e) => e.name)).to.deep.equal(["API", "TOKEN"]);
    expect(c.healthCheck.command.join(" ")).to.contain("http://127.0.0.1:9000/health");
    expect(c.logConfiguration.options["awslogs-region"]).to.equal("eu-west-1");
    const custom = containerDefinition("svc", p, {
      image: "img",
      region: "r",
      logGroupName: "lg",
      healthCheckCommand: ["CMD", "true"],
    });
    expect(custom.healthCheck.command).to.deep.equal(["CMD", "true"]);
  });

  it("gives the app its figures' namespace and service, and knows which app it runs", () => {
    installMocks({ stack: "plan-test" });
    const p = planFargateService({ image: IMAGE, app: "items-service" });
    const c = containerDefinition("items", p, { image: "img", region: "r", logGroupName: "lg" });
    const env = Object.fromEntries(c.environment.map((e) => [e.name, String(e.value)]));
    expect(powertoolsEnv.read(env)).to.deep.equal({
      serviceName: "items",
      metricsNamespace: "aws-serverless-flows/plan-test",
    });
    // Logs (and the EMF lines with them) go to CloudWatch Logs, where the figures are extracted.
    expect(c.logConfiguration.logDriver).to.equal("awslogs");
    expect(p.app).to.equal("items-service");
    const built = { dockerfile: "functions/containers/Dockerfile", buildArgs: { SERVICE: "x" } };
    expect(planFargateService({ image: built }).app).to.equal("x");
    expect(planFargateService({ image: IMAGE }).app).to.equal(undefined);
    const clash = { image: IMAGE, secrets: { POWERTOOLS_SERVICE_NAME: PARAM_ARN } };
    expect(() =>
      fargateServiceErrors("svc", clash, planFargateService(clash)).throwIfAny(),
    ).to.throw(/secrets: POWERTOOLS_SERVICE_NAME also set/);
  });

  it("charts its app's business figures by its service, none for an app that publishes none", () => {
    const source = {
      cluster: { cluster: { name: "c" }, containerInsights: false },
      service: { name: "s" },
    } as unknown as ServiceMetricsSource;
    const figures = (app?: string) =>
      fargateServiceWidgets(source, "Service items", { app, service: "items" })[0].widgets.filter(
        (w) => w.title === "Business figures",
      );
    const [widget] = figures("items-service");
    expect(widget.lines).to.deep.equal(
      CONTAINER_METRICS["items-service"].map((n) =>
        metric(businessMetricsNamespace(), n, { [SERVICE_DIMENSION]: "items" }),
      ),
    );
    expect(figures("unknown-app")).to.deep.equal([]);
    expect(figures(undefined)).to.deep.equal([]);
  });

  it("names routes from the route key and keeps the last N images", () => {
    expect(routeResourceName("items", "ANY /items")).to.equal("items-items");
    expect(routeResourceName("items", "ANY /items/{proxy+}")).to.equal("items-items-proxy");
    const rule = JSON.parse(keepLastImagesPolicy(3)).rules[0];
    expect(rule.selection).to.deep.equal({
      tagStatus: "any",
      countType: "imageCountMoreThan",
      countNumber: 3,
    });
  });

  it("refuses network together with cluster, naming both fields and the fix", () => {
    const cluster = { logRetentionDays: 14 } as unknown as FargateCluster;
    const network = {} as NetworkRef;
    const args = { image: IMAGE, cluster, network };
    expect(() => fargateServiceErrors("svc", args, planFargateService(args)).throwIfAny()).to.throw(
      /FargateService "svc"[\s\S]*cluster\/network: both are given[\s\S]*fix: pass only `cluster`/,
    );
    const alone = { image: IMAGE, network };
    expect(() =>
      fargateServiceErrors("svc", alone, planFargateService(alone)).throwIfAny(),
    ).to.not.throw();
  });
});

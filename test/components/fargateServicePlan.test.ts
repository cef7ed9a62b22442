import { expect } from "chai";
import {
  containerDefinition,
  fargateServiceErrors,
  keepLastImagesPolicy,
  planFargateService,
  routeResourceName,
} from "../../components/containers/fargateServicePlan";
import type { FargateCluster } from "../../components/containers/fargateCluster";
import type { NetworkRef } from "../../components/containers/fargateCluster";

const IMAGE = { uri: "public.ecr.aws/x/y@sha256:abc" };

describe("fargateServicePlan (pure planning of a FargateService)", () => {
  it("resolves defaults: min follows desired, max at least 6, no Dockerfile for a URI", () => {
    const p = planFargateService({ image: IMAGE, desiredCount: 8 });
    expect(p).to.include({ cpu: 256, memory: 512, arch: "ARM64", port: 8080, desired: 8 });
    expect(p).to.include({ minCount: 8, maxCount: 8, healthPath: "/health", retention: 14 });
    expect(p.dockerfile).to.equal(undefined);
    expect(planFargateService({ image: IMAGE }).maxCount).to.equal(6);
  });

  it("sorts variables and secrets by name and sets PORT and AWS_REGION", () => {
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
    expect(c.environment.map((e) => e.name)).to.deep.equal(["ALPHA", "AWS_REGION", "PORT", "ZED"]);
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

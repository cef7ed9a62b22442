import { expect } from "chai";
import { readStackConfig } from "../../scripts/harness/stackFile";
import { ConfigError, NAMESPACE, loadConfig } from "../../stacks/config";
import { flowConfigSpecs } from "../../stacks/registry";

const FARGATE_FLOWS = ["three-tier-fargate", "event-driven-microservices"];

/** The prod stack file with each Fargate flow's settings edited by `edit`. */
function prodWith(edit: (settings: Record<string, unknown>) => void, environment = "prod") {
  const raw = readStackConfig("prod");
  raw[`${NAMESPACE}:environment`] = environment;
  for (const slug of FARGATE_FLOWS) {
    const key = `${NAMESPACE}:${slug}`;
    const settings = JSON.parse(raw[key] ?? "{}") as Record<string, unknown>;
    edit(settings);
    raw[key] = JSON.stringify(settings);
  }
  return raw;
}

function problems(raw: Record<string, string>): string[] {
  try {
    loadConfig(raw, flowConfigSpecs());
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe("config: TLS from API Gateway to the load balancer", () => {
  it("accepts the prod file (HTTPS with a certificate and a server name)", () => {
    expect(problems(prodWith(() => undefined))).to.deep.equal([]);
  });

  it("refuses plain HTTP outside dev, naming each flow, the key and both fixes", () => {
    const found = problems(prodWith((s) => delete s.loadBalancerTls));
    expect(found).to.have.length(2);
    for (const slug of FARGATE_FLOWS) {
      const p = found.find((x) => x.startsWith(`${slug}: loadBalancerTls: required outside dev`));
      expect(p, slug).to.include("plain HTTP").and.include("allowPlainHttpToLoadBalancer: true");
    }
  });

  it("accepts plain HTTP outside dev when acknowledged, and in dev without", () => {
    const acknowledged = prodWith((s) => {
      delete s.loadBalancerTls;
      s.allowPlainHttpToLoadBalancer = true;
    });
    expect(problems(acknowledged)).to.deep.equal([]);
    const dev = prodWith((s) => delete s.loadBalancerTls, "dev");
    expect(problems(dev)).to.deep.equal([]);
  });

  it("refuses a contradiction and malformed certificate ARNs or server names", () => {
    const both = problems(prodWith((s) => (s.allowPlainHttpToLoadBalancer = true)));
    expect(both.filter((p) => p.includes("contradicts loadBalancerTls"))).to.have.length(2);
    const bad = problems(
      prodWith((s) => (s.loadBalancerTls = { certificateArn: "cert-1", serverName: "not a name" })),
    );
    expect(bad.join("\n")).to.include("must be an ACM certificate ARN");
    expect(bad.join("\n")).to.include("must be a DNS name");
  });
});

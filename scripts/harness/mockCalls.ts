import { MockWorld } from "./mockState";

type Args = Record<string, unknown>;

interface PolicyDocStatement {
  sid?: string;
  effect?: string;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  conditions?: { test: string; variable: string; values: string[] }[];
}

/** `aws.iam.getPolicyDocument` as AWS's provider renders it (enough for our statements). */
function policyDocument(inputs: Args): Args {
  const statements = ((inputs.statements as PolicyDocStatement[]) ?? []).map((s) => {
    const out: Record<string, unknown> = { Effect: s.effect ?? "Allow" };
    if (s.sid) out.Sid = s.sid;
    if (s.actions) out.Action = s.actions.length === 1 ? s.actions[0] : s.actions;
    if (s.notActions) out.NotAction = s.notActions;
    if (s.resources) out.Resource = s.resources.length === 1 ? s.resources[0] : s.resources;
    if (s.principals) {
      const p: Record<string, string | string[]> = {};
      for (const pr of s.principals)
        p[pr.type] = pr.identifiers.length === 1 ? pr.identifiers[0] : pr.identifiers;
      out.Principal = p;
    }
    if (s.conditions) {
      const c: Record<string, Record<string, string | string[]>> = {};
      for (const cond of s.conditions) {
        c[cond.test] = {
          ...c[cond.test],
          [cond.variable]: cond.values.length === 1 ? cond.values[0] : cond.values,
        };
      }
      out.Condition = c;
    }
    return out;
  });
  const doc = { Version: "2012-10-17", Statement: statements };
  return { json: JSON.stringify(doc, null, 2), minifiedJson: JSON.stringify(doc), id: "mock" };
}

/**
 * Answers the provider functions (invokes) the program calls. An unknown token throws, naming
 * this file, so a new data source is added here deliberately instead of returning an empty object.
 */
export function mockCall(token: string, inputs: Args, world: MockWorld): Args {
  const { region, accountId } = world;
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId,
        arn: `arn:aws:iam::${accountId}:user/mock`,
        id: accountId,
        userId: "AIDAMOCKUSER",
      };
    case "aws:index/getRegion:getRegion":
      return {
        name: region,
        region,
        id: region,
        description: region,
        endpoint: `ec2.${region}.amazonaws.com`,
      };
    case "aws:index/getPartition:getPartition":
      return {
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        id: "aws",
        reverseDnsPrefix: "com.amazonaws",
      };
    case "aws:index/getAvailabilityZones:getAvailabilityZones": {
      const letters = ["a", "b", "c", "d", "e", "f"];
      return {
        id: region,
        names: letters.map((l) => `${region}${l}`),
        zoneIds: letters.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`),
        groupNames: [region],
        state: inputs.state ?? "available",
      };
    }
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      return policyDocument(inputs);
    case "aws:elb/getServiceAccount:getServiceAccount":
      return { id: "127311923021", arn: "arn:aws:iam::127311923021:root" };
    default:
      throw new Error(
        `mock runtime: no answer for provider call "${token}" (add it to scripts/harness/mockCalls.ts)`,
      );
  }
}

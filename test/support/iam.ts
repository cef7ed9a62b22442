/**
 * Reading the IAM policy documents a program run rendered into resource inputs (JSON strings), for
 * the flow tests' least-privilege assertions.
 */
import type { RecordedResource, Recorder } from "../../scripts/harness/recorder";

/** One statement of a policy document, as the program renders it. */
export interface Stmt {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** IAM allows one value or a list in most places; this always gives the list. */
export const asList = <V>(v: V | V[]): V[] => (Array.isArray(v) ? v : [v]);
export const actionsOf = (s: Stmt): string[] => asList(s.Action);
export const resourcesOf = (s: Stmt): string[] => asList(s.Resource);

/** The statements of a recorded resource's policy document input `key` (default "policy"). */
export const statementsOf = (resource: Pick<RecordedResource, "inputs">, key = "policy"): Stmt[] =>
  (JSON.parse(String(resource.inputs[key])) as { Statement: Stmt[] }).Statement;

/** The Allow statements of the inline role policy named `name`. */
export const roleGrants = (recorder: Pick<Recorder, "get">, name: string): Stmt[] =>
  statementsOf(recorder.get("aws:iam/rolePolicy:RolePolicy", name)).filter(
    (s) => s.Effect === "Allow",
  );

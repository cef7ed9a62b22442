/** One flow run alone in a test stack, for the flow tests (test/stacks). */
import type { RecordedResource } from "../../scripts/harness/recorder";
import { StackRun, runStack } from "../../scripts/harness/runStack";
import { NAMESPACE as NS } from "../../stacks/config";
import type { FlowDefinition } from "../../stacks/flow";
import { Stmt, roleGrants } from "./iam";

/** The project's config namespace (stacks/config.ts). */
export { NS };

/** A flow's run, once its `before` hook has run, and lookups into it. */
export interface FlowRun {
  readonly run: StackRun;
  /** The resource of `type` named `name`; throws listing the names there are. */
  get(type: string, name: string): RecordedResource;
  /** The Allow statements of the role policy named `fn`. */
  grants(fn: string): Stmt[];
}

/**
 * Runs `flow` alone in a "test" stack, with `settings` under its config key and any other
 * `config`, in a mocha `before` hook of the calling suite.
 */
export function runFlowBefore<S>(
  flow: FlowDefinition<S>,
  settings: object,
  config: Record<string, string> = {},
): FlowRun {
  let run: StackRun | undefined;
  before(async () => {
    run = await runStack({
      stack: "test",
      config: {
        [`${NS}:flows`]: JSON.stringify([flow.slug]),
        ...config,
        [`${NS}:${flow.slug}`]: JSON.stringify(settings),
      },
      flows: [flow as FlowDefinition<unknown>],
    });
  });
  const current = (): StackRun => {
    if (!run) throw new Error(`flow ${flow.slug} has not run yet (read it inside a test)`);
    return run;
  };
  return {
    get run() {
      return current();
    },
    get: (type, name) => current().recorder.get(type, name),
    grants: (fn) => roleGrants(current().recorder, fn),
  };
}

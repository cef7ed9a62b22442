import { StackRun, runStack } from "../../scripts/harness/runStack";
import { readStackConfig } from "../../scripts/harness/stackFile";

const runs = new Map<string, Promise<StackRun>>();

/**
 * The real program run for `Pulumi.<stack>.yaml` under mocks, once per test process: the dev and
 * prod stacks take seconds each and several test files read them. Call it from a `before()`.
 * The result is plain data; later mock installs do not change it.
 */
export function stackFileRun(stack: "dev" | "prod"): Promise<StackRun> {
  let run = runs.get(stack);
  if (!run) {
    run = runStack({ stack, config: readStackConfig(stack) });
    runs.set(stack, run);
  }
  return run;
}

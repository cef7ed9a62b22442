/**
 * Process lifecycle of a container app. ECS stops a task with SIGTERM and, `stopTimeout` seconds
 * later (30 by default), SIGKILL: in between the app stops taking new work (HTTP and queue),
 * finishes what it started and exits 0.
 */
import type { ServerLogger } from "./httpServer";
import { readContainerEnv } from "./env";

export interface Stoppable {
  stop(): Promise<unknown>;
}

export interface ShutdownOptions {
  /** What emits the signals. Default: `process`. */
  signals?: Pick<NodeJS.Process, "once">;
  /** Ends the process. Default: `process.exit`. */
  exit?: (code: number) => void;
  /**
   * Exit with code 1 if draining takes longer than this (ms), before ECS's SIGKILL cuts logs off.
   * Default: 25 000 (the default stop timeout is 30 s).
   */
  deadlineMs?: number;
  logger?: ServerLogger;
}

/**
 * On SIGTERM or SIGINT, stops every part at once (servers stop accepting, workers stop polling),
 * waits for their in-flight work, then exits. Returns the shutdown function (tests call it).
 */
export function shutdownOnSignal(
  parts: Stoppable[],
  options: ShutdownOptions = {},
): (signal: string) => Promise<void> {
  const exitProcess = options.exit ?? ((code: number) => process.exit(code));
  let exited = false;
  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    exitProcess(code);
  };
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> =>
    (shuttingDown ??= (async () => {
      options.logger?.info("shutting down", { signal });
      const deadline = setTimeout(() => {
        options.logger?.error("shutdown deadline passed; exiting with work in flight", { signal });
        exit(1);
      }, options.deadlineMs ?? 25_000);
      deadline.unref();
      const results = await Promise.allSettled(parts.map((p) => p.stop()));
      clearTimeout(deadline);
      const failed = results.filter((r) => r.status === "rejected");
      for (const f of failed) {
        options.logger?.error("stop failed", {
          error: String((f as PromiseRejectedResult).reason),
        });
      }
      options.logger?.info("stopped", { signal, results: results.map((r) => r.status) });
      exit(failed.length > 0 ? 1 : 0);
    })());
  const signals = options.signals ?? process;
  for (const s of ["SIGTERM", "SIGINT"] as const) signals.once(s, () => void shutdown(s));
  return shutdown;
}

/**
 * Process entry step: starts `server` on PORT (default 8080) and logs the port it got. A server
 * that cannot listen is fatal: logs why and exits 1, so ECS replaces the task.
 */
export function listenOrExit(
  server: { start(port: number): Promise<number> },
  logger: ServerLogger,
  fields: Record<string, unknown> = {},
): void {
  server
    .start(readContainerEnv().port)
    .then((port) => logger.info("listening", { port, ...fields }))
    .catch((e: Error) => {
      logger.error("could not start", { error: e.message });
      process.exit(1);
    });
}

import { LOG_RETENTION_VALUES } from "./defaults";

/**
 * Argument validation shared by components: collect every problem, then throw once, before any
 * child resource exists.
 */
export class ArgumentErrors {
  private readonly problems: string[] = [];

  constructor(
    private readonly component: string,
    private readonly name: string,
  ) {}

  /** Records a problem with `field` unless `ok` holds; `fix` tells the user what to do. */
  check(ok: boolean, field: string, problem: string, fix: string): this {
    if (!ok) this.problems.push(`${field}: ${problem} (fix: ${fix})`);
    return this;
  }

  /** Records a problem unless `days` is a retention CloudWatch Logs accepts (or undefined). */
  checkLogRetention(days: number | undefined, field = "logRetentionDays"): this {
    return this.check(
      days === undefined || (LOG_RETENTION_VALUES as readonly number[]).includes(days),
      field,
      `${days} is not a value CloudWatch Logs accepts`,
      `use one of ${LOG_RETENTION_VALUES.join(", ")}`,
    );
  }

  /** Records a problem unless `value` is a whole number of at least 1 (or undefined). */
  checkPositiveInteger(value: number | undefined, field: string, fix = "use 1 or more"): this {
    return this.check(
      value === undefined || (Number.isInteger(value) && value >= 1),
      field,
      `${value} is not a positive integer`,
      fix,
    );
  }

  /** Throws one Error listing every recorded problem. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    throw new Error(
      `${this.component} "${this.name}" has invalid arguments:\n` +
        this.problems.map((p) => `  - ${p}`).join("\n"),
    );
  }
}

/** True when `value` is a plain (already known) number; Inputs that are Outputs are skipped. */
export function isKnownNumber(value: unknown): value is number {
  return typeof value === "number";
}

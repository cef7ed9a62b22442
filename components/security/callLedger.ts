import type * as pulumi from "@pulumi/pulumi";
import type { Statement } from "./iam";

/**
 * Who makes the calls of a grant. "function": a Lambda function's own code (the Lambda service
 * itself polls event sources, ships logs and traces outside the VPC). "task": a Fargate task,
 * whose agent also pulls the image and ships logs through the task's network interface.
 */
export type CallerKind = "function" | "task";

/**
 * `Sid` of a statement in a function's role that the Lambda service itself uses (e.g. sending an
 * event source mapping's on-failure record), never the handler: it needs no endpoint in the VPC.
 */
export const LAMBDA_SERVICE_SID = "UsedByLambdaService";

/** The grants of one caller in the private subnets. */
export interface RecordedCaller {
  /** Logical name, for error messages. */
  caller: string;
  kind: CallerKind;
  statements: pulumi.Input<Statement>[];
}

/**
 * Collects the grants of everything that runs in a VPC's private subnets, so the network can
 * derive which interface endpoints they need (network/endpointPlan.ts). A component that places
 * a caller in the private subnets records its role statements here.
 */
export class CallLedger {
  private readonly recorded: RecordedCaller[] = [];
  private sealedBecause?: string;

  /** Records the grants of `caller`; throws once the ledger is sealed (they would be missed). */
  record(caller: string, kind: CallerKind, statements: pulumi.Input<Statement>[]): void {
    if (this.sealedBecause !== undefined) {
      throw new Error(
        `${caller} joined the private subnets after ${this.sealedBecause}: its calls would ` +
          "get no endpoint (build every private caller before completing the network)",
      );
    }
    this.recorded.push({ caller, kind, statements: [...statements] });
  }

  /** Refuses further records; `reason` says what already used them. */
  seal(reason: string): void {
    this.sealedBecause ??= reason;
  }

  /** Everything recorded so far, in order. */
  get callers(): readonly RecordedCaller[] {
    return this.recorded;
  }
}

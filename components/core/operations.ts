import type * as pulumi from "@pulumi/pulumi";

/**
 * How a stack operates its resources: where alarms go and how logs are kept. A stack builds it
 * once (`StackContext.operations`) and hands it to every component (`...ctx.operations`); a
 * component hands its own to its children with `...operationsOf(args)`.
 */
export interface OperationsContext {
  /** Topic every alarm notifies. @default no alarms */
  alarmTopicArn?: pulumi.Input<string>;
  /** KMS key that encrypts the log groups. @default CloudWatch Logs' own encryption */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Log retention in days (a value CloudWatch accepts). @default 14 (`LOG_RETENTION_DAYS`) */
  logRetentionDays?: number;
}

/** The operations fields of a component's args, and nothing else, for its children. */
export function operationsOf(args: OperationsContext): OperationsContext {
  return {
    alarmTopicArn: args.alarmTopicArn,
    logKmsKeyArn: args.logKmsKeyArn,
    logRetentionDays: args.logRetentionDays,
  };
}

import type { PlanDocument } from "./document";

const REST_STAGE = "aws:apigateway/stage:Stage";
const ACCOUNT = "aws:apigateway/account:Account";

/**
 * Next-step lines about API Gateway's account-wide CloudWatch Logs role. REST API stages log only
 * once the account of the region has that role set (one setting per account and region, so the
 * stacks leave it alone unless `manageApiGatewayAccountRole` opts one of them in). When the plan
 * has REST stages but does not set the role, the user must check it exists.
 */
export function accountLogsRoleSteps(doc: Pick<PlanDocument, "resources">): string[] {
  const restStages = doc.resources.some((r) => r.type === REST_STAGE);
  if (!restStages || doc.resources.some((r) => r.type === ACCOUNT)) return [];
  return [
    `  aws apigateway get-account --query cloudwatchRoleArn   # REST API access logs need this account role; if empty,`,
    `                                    # set it once per account and region (or opt one stack in: manageApiGatewayAccountRole: true)`,
  ];
}

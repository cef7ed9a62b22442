import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Transform } from "../core/transform";
import { transform } from "../core/transform";
import { allow, policyDocument } from "../security/iam";
import type { KinesisIngestApiArgs } from "./kinesisIngestApiArgs";

/** What the account setting needs from the API that owns it. */
export interface AccountLogsContext {
  /** Creates a role API Gateway of this account may assume. */
  role: (
    name: string,
    description: string,
    hook: Transform<aws.iam.RoleArgs> | undefined,
  ) => aws.iam.Role;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  t: NonNullable<KinesisIngestApiArgs["transform"]>;
  parent: pulumi.Resource;
}

/** The region's account-wide logging role of API Gateway (one per account and region). */
export function createAccountLogsSetting(
  name: string,
  c: AccountLogsContext,
): aws.apigateway.Account {
  const accountRole = c.role(
    `${name}-account-logs`,
    "API Gateway writes REST API access and execution logs (account setting)",
    c.t.accountRole,
  );
  const accountPolicy = new aws.iam.RolePolicy(
    ...transform(
      c.t.accountRolePolicy,
      `${name}-account-logs`,
      {
        role: accountRole.id,
        // AmazonAPIGatewayPushToCloudWatchLogs's actions
        // (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html),
        // scoped to this account's log groups where the reference allows it: DescribeLogGroups
        // supports no resource type, so it stands alone on "*".
        policy: policyDocument(
          [
            allow(["logs:DescribeLogGroups"], ["*"]),
            allow(
              [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
                "logs:GetLogEvents",
                "logs:FilterLogEvents",
              ],
              [pulumi.interpolate`arn:aws:logs:${c.region}:${c.accountId}:log-group:*`],
            ),
          ],
          `KinesisIngestApi "${name}" account logs role policy`,
        ),
      },
      { parent: c.parent },
    ),
  );
  return new aws.apigateway.Account(
    ...transform(
      c.t.account,
      `${name}-account`,
      { cloudwatchRoleArn: accountRole.arn },
      { parent: c.parent, dependsOn: [accountPolicy] },
    ),
  );
}

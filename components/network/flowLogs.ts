import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transform, Transforms } from "../core/transform";
import { allow, assumeRolePolicy, policyDocument } from "../security/iam";

/** Where a VPC's flow logs go and the hooks on their three children. */
export interface FlowLogsSpec {
  vpcId: pulumi.Input<string>;
  retentionDays: number;
  kmsKeyArn?: pulumi.Input<string>;
  parent: pulumi.Resource;
  transform?: Transforms<{
    flowLogGroup: aws.cloudwatch.LogGroupArgs;
    flowLogRole: aws.iam.RoleArgs;
    flowLogPolicy: aws.iam.RolePolicyArgs;
    flowLog: aws.ec2.FlowLogArgs;
  }>;
}

/** Flow logs of all traffic to a retained log group, delivered by a role scoped to that group. */
export function createFlowLogs(name: string, spec: FlowLogsSpec) {
  const t = spec.transform ?? {};
  const parent = spec.parent;
  const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const flowName = `${name}-flow-logs`;
  const group = new aws.cloudwatch.LogGroup(
    ...transform(
      t.flowLogGroup,
      flowName,
      {
        name: `/aws/vpc/${pulumi.getProject()}-${pulumi.getStack()}/${name}/flow-logs`,
        retentionInDays: spec.retentionDays,
        kmsKeyId: spec.kmsKeyArn,
      },
      { parent },
    ),
  );
  const role = new aws.iam.Role(
    ...transform(
      t.flowLogRole,
      flowName,
      {
        assumeRolePolicy: assumeRolePolicy("vpc-flow-logs.amazonaws.com", account),
        description: `Delivers flow logs of VPC ${name} to its log group`,
      },
      { parent },
    ),
  );
  const policy = new aws.iam.RolePolicy(
    ...transform(
      t.flowLogPolicy,
      flowName,
      {
        role: role.id,
        policy: policyDocument(
          [
            // The reference: DescribeLogStreams acts on the group, CreateLogStream and
            // PutLogEvents on its streams.
            allow(["logs:DescribeLogStreams"], [group.arn]),
            allow(
              ["logs:CreateLogStream", "logs:PutLogEvents"],
              [pulumi.interpolate`${group.arn}:*`],
            ),
          ],
          `Network "${name}" role policy`,
        ),
      },
      { parent },
    ),
  );
  const flowLog = new aws.ec2.FlowLog(
    ...transform(
      t.flowLog,
      flowName,
      {
        vpcId: spec.vpcId,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: group.arn,
        iamRoleArn: role.arn,
        tags: { Name: flowName },
      },
      { parent, dependsOn: [policy] },
    ),
  );

  return { group, role, flowLog };
}

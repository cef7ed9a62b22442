/**
 * Input properties whose change makes Pulumi replace the resource (delete + create) instead of
 * updating it, for the resource types this program creates, as Pulumi's names for them.
 *
 * Where this comes from: @pulumi/aws is bridged from the Terraform AWS provider, and the bridge
 * replaces a resource when a property marked `ForceNew: true` in the Terraform schema changes.
 * Pulumi's own schema (pulumi/pulumi-aws provider/cmd/pulumi-resource-aws/schema.json) does not
 * carry that flag (the snapshot is 731 MB, too big to fetch here, and bridged resources set no
 * `replaceOnChanges`), so the table below is read from the Terraform schemas in
 * hashicorp/terraform-provider-aws. `verified` marks the types whose schema file was read for this
 * table (path in `source`); the others come from the same provider's documentation ("Forces new
 * resource") and should be re-read before relying on them. A nested `ForceNew` (e.g. a local
 * secondary index's name) is listed by its top-level property.
 */
export interface ReplaceRule {
  properties: string[];
  source: string;
  verified: boolean;
}

const TF = "hashicorp/terraform-provider-aws internal/service/";

export const REPLACE_ON_CHANGES: Record<string, ReplaceRule> = {
  "aws:sqs/queue:Queue": {
    properties: ["name", "namePrefix", "fifoQueue"],
    source: `${TF}sqs/queue.go`,
    verified: true,
  },
  "aws:sns/topic:Topic": {
    properties: ["name", "namePrefix", "fifoTopic"],
    source: `${TF}sns/topic.go`,
    verified: true,
  },
  "aws:dynamodb/table:Table": {
    properties: [
      "name",
      "hashKey",
      "rangeKey",
      "localSecondaryIndexes",
      "restoreSourceName",
      "restoreToLatestTime",
      "restoreDateTime",
    ],
    source: `${TF}dynamodb/table.go`,
    verified: true,
  },
  "aws:kinesis/stream:Stream": {
    properties: ["name"],
    source: `${TF}kinesis/stream.go`,
    verified: true,
  },
  "aws:ecs/taskDefinition:TaskDefinition": {
    properties: [
      "containerDefinitions",
      "cpu",
      "memory",
      "ephemeralStorage",
      "executionRoleArn",
      "taskRoleArn",
      "family",
      "inferenceAccelerators",
      "ipcMode",
      "pidMode",
      "networkMode",
      "placementConstraints",
      "proxyConfiguration",
      "requiresCompatibilities",
      "runtimePlatform",
      "volumes",
    ],
    source: `${TF}ecs/task_definition.go`,
    verified: true,
  },
  "aws:lb/loadBalancer:LoadBalancer": {
    properties: ["name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"],
    source: `${TF}elbv2/load_balancer.go`,
    verified: true,
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    properties: ["name", "namePrefix", "logGroupClass"],
    source: `${TF}logs/group.go`,
    verified: true,
  },
  "aws:ec2/natGateway:NatGateway": {
    properties: [
      "allocationId",
      "subnetId",
      "connectivityType",
      "privateIp",
      "secondaryPrivateIpAddressCount",
    ],
    source: `${TF}ec2/vpc_nat_gateway.go`,
    verified: true,
  },
  // Terraform's function_name is Pulumi's name.
  "aws:lambda/function:Function": {
    properties: ["name", "packageType", "tenancyConfig"],
    source: `${TF}lambda/function.go`,
    verified: true,
  },
  "aws:lambda/permission:Permission": {
    properties: [
      "action",
      "eventSourceToken",
      "function",
      "functionUrlAuthType",
      "invokedViaFunctionUrl",
      "principal",
      "principalOrgId",
      "qualifier",
      "sourceAccount",
      "sourceArn",
      "statementId",
      "statementIdPrefix",
    ],
    source: `${TF}lambda/permission.go`,
    verified: true,
  },
  "aws:s3/bucket:Bucket": {
    properties: ["bucket", "bucketPrefix", "objectLockEnabled"],
    source: `${TF}s3/bucket.go`,
    verified: false,
  },
  "aws:iam/role:Role": {
    properties: ["name", "namePrefix", "path"],
    source: `${TF}iam/role.go`,
    verified: true,
  },
  "aws:iam/rolePolicy:RolePolicy": {
    properties: ["name", "namePrefix", "role"],
    source: `${TF}iam/role_policy.go`,
    verified: true,
  },
  "aws:ec2/vpc:Vpc": { properties: ["cidrBlock"], source: `${TF}ec2/vpc_.go`, verified: false },
  "aws:ec2/subnet:Subnet": {
    properties: [
      "vpcId",
      "cidrBlock",
      "availabilityZone",
      "availabilityZoneId",
      "ipv4IpamPoolId",
      "ipv4NetmaskLength",
      "ipv6IpamPoolId",
      "ipv6Native",
      "ipv6NetmaskLength",
      "outpostArn",
    ],
    source: `${TF}ec2/vpc_subnet.go`,
    verified: true,
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    properties: ["name", "namePrefix", "description", "vpcId"],
    source: `${TF}ec2/vpc_security_group.go`,
    verified: true,
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    properties: ["serviceName", "vpcId", "vpcEndpointType"],
    source: `${TF}ec2/vpc_endpoint.go`,
    verified: true,
  },
  "aws:lb/targetGroup:TargetGroup": {
    properties: [
      "name",
      "namePrefix",
      "port",
      "protocol",
      "protocolVersion",
      "targetType",
      "vpcId",
      "ipAddressType",
    ],
    source: `${TF}elbv2/target_group.go`,
    verified: true,
  },
  "aws:kms/key:Key": {
    properties: [
      "customerMasterKeySpec",
      "keyUsage",
      "multiRegion",
      "customKeyStoreId",
      "xksKeyId",
    ],
    source: `${TF}kms/key.go`,
    verified: true,
  },
  // Terraform's alarm_name is Pulumi's name.
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    properties: ["name"],
    source: `${TF}cloudwatch/metric_alarm.go`,
    verified: true,
  },
  "aws:cloudwatch/dashboard:Dashboard": {
    properties: ["dashboardName"],
    source: `${TF}cloudwatch/dashboard.go`,
    verified: true,
  },
  "aws:apigatewayv2/api:Api": {
    properties: ["protocolType"],
    source: `${TF}apigatewayv2/api.go`,
    verified: false,
  },
  "aws:apigatewayv2/stage:Stage": {
    properties: ["apiId", "name"],
    source: `${TF}apigatewayv2/stage.go`,
    verified: true,
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    properties: ["topic", "protocol", "endpoint"],
    source: `${TF}sns/topic_subscription.go`,
    verified: true,
  },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
    properties: ["name", "destination"],
    source: `${TF}firehose/delivery_stream.go`,
    verified: false,
  },
};

/** The top-level input properties of `changed` that force a replacement of a `type`. */
export function replaceReasons(type: string, changed: string[]): string[] {
  const rule = REPLACE_ON_CHANGES[type];
  if (!rule) return [];
  const tops = new Set(changed.map((p) => p.split(/[.[]/, 1)[0]));
  return rule.properties.filter((p) => tops.has(p));
}

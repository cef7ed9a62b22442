import { StateFn, autoName, uuid, arn } from "../mockStateKit";

/** Mocked state of the IAM, KMS, Secrets Manager, SSM and CloudWatch resources the program creates. */
export const PLATFORM_STATES: Record<string, StateFn> = {
  "aws:iam/role:Role": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    return {
      id: name,
      state: {
        name,
        arn: `arn:aws:iam::${c.accountId}:role/${name}`,
        uniqueId: `AROA${c.hex(16).toUpperCase()}`,
      },
    };
  },
  "aws:iam/policy:Policy": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = `arn:aws:iam::${c.accountId}:policy/${name}`;
    return { id: a, state: { name, arn: a, policyId: `ANPA${c.hex(16).toUpperCase()}` } };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => {
    const name = autoName(c.name, c.inputs);
    return { id: `${String(c.inputs.role)}:${name}`, state: { name } };
  },
  "aws:kms/key:Key": (c) => {
    const keyId = uuid(c.name);
    return { id: keyId, state: { keyId, arn: arn(c, "kms", `key/${keyId}`) } };
  },
  "aws:kms/alias:Alias": (c) => {
    const name = String(c.inputs.name ?? `alias/${c.name}`);
    return { id: name, state: { name, arn: arn(c, "kms", name) } };
  },
  "aws:cloudwatch/logGroup:LogGroup": (c) => {
    const name = autoName(c.name, c.inputs, "name", 512);
    return { id: name, state: { name, arn: arn(c, "logs", `log-group:${name}`) } };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
    const name = autoName(c.name, c.inputs);
    return { id: name, state: { name, arn: arn(c, "cloudwatch", `alarm:${name}`) } };
  },
  "aws:cloudwatch/dashboard:Dashboard": (c) => {
    const name = String(c.inputs.dashboardName ?? c.name);
    return {
      id: name,
      state: { dashboardArn: `arn:aws:cloudwatch::${c.accountId}:dashboard/${name}` },
    };
  },
  "aws:cloudwatch/eventRule:EventRule": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    return { id: name, state: { name, arn: arn(c, "events", `rule/${name}`) } };
  },
  "aws:cloudwatch/eventTarget:EventTarget": (c) => ({
    id: `${String(c.inputs.rule)}-${c.name}`,
    state: {},
  }),
  "aws:cloudwatch/logStream:LogStream": (c) => {
    const name = String(c.inputs.name ?? c.name);
    const group = String(c.inputs.logGroupName ?? "group");
    return {
      id: name,
      state: { name, arn: arn(c, "logs", `log-group:${group}:log-stream:${name}`) },
    };
  },
  "aws:secretsmanager/secret:Secret": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "secretsmanager", `secret:${name}-${c.hex(6)}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:ssm/parameter:Parameter": (c) => {
    const name = autoName(c.name, c.inputs);
    return {
      id: name,
      state: { name, arn: arn(c, "ssm", `parameter/${name.replace(/^\//, "")}`) },
    };
  },
};

import { StateFn, autoName, uuid, arn, stableHex } from "../mockStateKit";

/** Mocked state of the Lambda, ECS, ECR, Application Auto Scaling, EventBridge Scheduler and awsx images resources the program creates. */
export const COMPUTE_STATES: Record<string, StateFn> = {
  "aws:lambda/function:Function": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    const a = arn(c, "lambda", `function:${name}`);
    return {
      id: name,
      state: {
        name,
        arn: a,
        qualifiedArn: `${a}:$LATEST`,
        version: "$LATEST",
        invokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${a}/invocations`,
        qualifiedInvokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${a}:$LATEST/invocations`,
      },
    };
  },
  "aws:lambda/eventSourceMapping:EventSourceMapping": (c) => {
    const id = uuid(c.name);
    return {
      id,
      state: { uuid: id, arn: arn(c, "lambda", `event-source-mapping:${id}`), state: "Enabled" },
    };
  },
  "aws:lambda/permission:Permission": (c) => ({
    id: String(c.inputs.statementId ?? c.name),
    state: {},
  }),
  // The provider's id is the function name (with ":qualifier" when one is set).
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": (c) => ({
    id: [c.inputs.functionName, c.inputs.qualifier].filter(Boolean).map(String).join(":"),
    state: {},
  }),
  "aws:scheduler/schedule:Schedule": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    return {
      id: `default/${name}`,
      state: { name, arn: arn(c, "scheduler", `schedule/default/${name}`) },
    };
  },
  "aws:ecs/cluster:Cluster": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "ecs", `cluster/${name}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:ecs/service:Service": (c) => {
    const name = autoName(c.name, c.inputs);
    const cluster = String(c.inputs.cluster ?? "default")
      .split("/")
      .pop();
    const a = arn(c, "ecs", `service/${cluster}/${name}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:ecs/taskDefinition:TaskDefinition": (c) => {
    const family = String(c.inputs.family ?? c.name);
    const a = arn(c, "ecs", `task-definition/${family}:1`);
    return {
      id: family,
      state: {
        arn: a,
        arnWithoutRevision: arn(c, "ecs", `task-definition/${family}`),
        revision: 1,
      },
    };
  },
  "aws:ecr/repository:Repository": (c) => {
    const name = autoName(c.name, c.inputs).toLowerCase();
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "ecr", `repository/${name}`),
        repositoryUrl: `${c.accountId}.dkr.ecr.${c.region}.amazonaws.com/${name}`,
        registryId: c.accountId,
      },
    };
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (c) => ({
    id: String(c.inputs.repository),
    state: { registryId: c.accountId },
  }),
  "awsx:ecr:Image": (c) => {
    const repo = String(
      c.inputs.repositoryUrl ?? `${c.accountId}.dkr.ecr.${c.region}.amazonaws.com/${c.name}`,
    );
    return { id: c.name, state: { imageUri: `${repo}@sha256:${stableHex(c.name, 64)}` } };
  },
  "aws:appautoscaling/target:Target": (c) => ({
    id: String(c.inputs.resourceId ?? c.name),
    state: { arn: arn(c, "application-autoscaling", `scalable-target/${c.hex(26)}`) },
  }),
  "aws:appautoscaling/policy:Policy": (c) => {
    const name = autoName(c.name, c.inputs);
    return {
      id: name,
      state: {
        name,
        arn: arn(
          c,
          "autoscaling",
          `scalingPolicy:${uuid(c.name)}:resource/${String(c.inputs.resourceId ?? "")}:policyName/${name}`,
        ),
      },
    };
  },
};

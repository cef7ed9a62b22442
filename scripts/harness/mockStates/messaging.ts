import { StateFn, autoName, uuid, arn } from "../mockStateKit";

/** Mocked state of the SQS and SNS resources the program creates. */
export const MESSAGING_STATES: Record<string, StateFn> = {
  "aws:sqs/queue:Queue": (c) => {
    const name = autoName(c.name, c.inputs);
    const url = `https://sqs.${c.region}.amazonaws.com/${c.accountId}/${name}`;
    return { id: url, state: { name, url, arn: arn(c, "sqs", name) } };
  },
  "aws:sns/topic:Topic": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "sns", name);
    return { id: a, state: { name, arn: a } };
  },
  "aws:sns/topicSubscription:TopicSubscription": (c) => {
    const a = `${String(c.inputs.topic ?? arn(c, "sns", "topic"))}:${uuid(c.name)}`;
    return { id: a, state: { arn: a } };
  },
  "aws:sns/topicPolicy:TopicPolicy": (c) => ({
    id: String(c.inputs.arn),
    state: { owner: c.accountId },
  }),
  "aws:sqs/queuePolicy:QueuePolicy": (c) => ({ id: String(c.inputs.queueUrl), state: {} }),
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": (c) => ({
    id: String(c.inputs.queueUrl),
    state: {},
  }),
};

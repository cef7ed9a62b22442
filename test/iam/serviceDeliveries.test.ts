/**
 * Service-to-service deliveries on the dev and prod plans, simulated with @cloud-copilot/iam-simulate
 * as AWS makes them: the delivery itself against the target's resource policy, with the source
 * keys AWS documents the service sends there, and the KMS calls against the key policy with none
 * (no service here is documented to send aws:SourceArn/SourceAccount to KMS; a key-policy
 * condition on them drops every message). CloudWatch alarms to their topics, S3 notifications to
 * topics and queues, SNS to subscribed queues: every one allowed.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { expect } from "chai";
import type { StackRun } from "../../scripts/harness/runStack";
import { stackFileRun } from "../stacks/stackFiles";
import { PlanIndex, type Target } from "./planModel";

interface Delivery {
  service: string;
  sourceArn: string;
  action: "sns:Publish" | "sqs:SendMessage";
  target: Target;
}

function deliveries(run: StackRun, index: PlanIndex): Delivery[] {
  const out: Delivery[] = [];
  const topic = (arn: string) => index.lookup("topic", arn);
  const queue = (arn: string) => index.lookup("queue", arn);
  for (const a of run.resources.filter(
    (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm",
  )) {
    const actions = [
      ...((a.inputs.alarmActions as string[]) ?? []),
      ...((a.inputs.okActions as string[]) ?? []),
    ];
    for (const t of new Set(actions)) {
      const target = topic(t);
      if (target)
        out.push({
          service: "cloudwatch.amazonaws.com",
          sourceArn: String(a.state.arn),
          action: "sns:Publish",
          target,
        });
    }
  }
  for (const n of run.resources.filter(
    (r) => r.type === "aws:s3/bucketNotification:BucketNotification",
  )) {
    const bucketArn = `arn:aws:s3:::${String(n.inputs.bucket)}`;
    for (const c of (n.inputs.topics as { topicArn: string }[] | undefined) ?? []) {
      out.push({
        service: "s3.amazonaws.com",
        sourceArn: bucketArn,
        action: "sns:Publish",
        target: topic(c.topicArn) as Target,
      });
    }
    for (const c of (n.inputs.queues as { queueArn: string }[] | undefined) ?? []) {
      out.push({
        service: "s3.amazonaws.com",
        sourceArn: bucketArn,
        action: "sqs:SendMessage",
        target: queue(c.queueArn) as Target,
      });
    }
  }
  for (const s of run.resources.filter(
    (r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.inputs.protocol === "sqs",
  )) {
    out.push({
      service: "sns.amazonaws.com",
      sourceArn: String(s.inputs.topic),
      action: "sqs:SendMessage",
      target: queue(String(s.inputs.endpoint)) as Target,
    });
  }
  return out;
}

async function allowed(
  principal: string,
  action: string,
  resource: string,
  policy: unknown,
  context: Record<string, string>,
  account: string,
): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource, accountId: account },
        contextVariables: { "aws:SecureTransport": "true", ...context },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    },
    {},
  );
  if (result.resultType === "error")
    throw new Error(`${principal} ${action} ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult === "Allowed";
}

for (const stack of ["dev", "prod"] as const) {
  describe(`service deliveries on the ${stack} plan`, function () {
    this.timeout(300_000);
    let denied: string[];
    let count = 0;

    before(async () => {
      const run = await stackFileRun(stack);
      const index = new PlanIndex(run.resources);
      denied = [];
      for (const d of deliveries(run, index)) {
        count++;
        const where = `${d.service} ${d.action} to ${d.target.arn} from ${d.sourceArn}`;
        // Resource policies see the source: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
        const source = { "aws:SourceArn": d.sourceArn, "aws:SourceAccount": index.account };
        if (
          !(await allowed(
            d.service,
            d.action,
            d.target.arn,
            d.target.resourcePolicy,
            source,
            index.account,
          ))
        )
          denied.push(where);
        if (!d.target.kmsKeyArn) continue;
        // The KMS calls the service makes to encrypt (sns-key-management.html#compatibility-with-aws-services).
        for (const kms of ["kms:GenerateDataKey", "kms:Decrypt"]) {
          const keyPolicy = index.keyPolicies.get(d.target.kmsKeyArn);
          if (!(await allowed(d.service, kms, d.target.kmsKeyArn, keyPolicy, {}, index.account)))
            denied.push(`${where}: ${kms}`);
        }
      }
      console.log(`      ${stack}: ${count} service deliveries, denied: ${denied.length}`);
    });

    it("CloudWatch alarms, S3 notifications and SNS deliveries are all allowed, KMS included", () => {
      expect(count).to.be.greaterThan(20);
      expect(denied).to.deep.equal([]);
    });
  });
}

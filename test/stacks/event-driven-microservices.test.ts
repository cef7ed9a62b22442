import { expect } from "chai";
import { stackFindings } from "../../scripts/harness/runStack";
import { actionsOf, resourcesOf, statementsOf } from "../support/iam";
import { renderMermaid } from "../../scripts/plan/mermaid";
import type { PlanDocument } from "../../scripts/plan/document";
import { eventDrivenMicroservices } from "../../stacks/event-driven-microservices";
import { NAMESPACE as NS } from "../../stacks/config";
import { T } from "../support/resourceTypes";
import { runFlowBefore } from "../support/flowRun";

describe("flow event-driven-microservices", () => {
  const flow = runFlowBefore(
    eventDrivenMicroservices,
    {
      maxReceiveCount: 4,
      // Plain HTTP to the ALB outside dev, acknowledged (the prod stack file uses HTTPS).
      allowPlainHttpToLoadBalancer: true,
      workerBacklogPerTask: 50,
      images: { shipping: "public.ecr.aws/acme/shipping@sha256:0abc" },
    },
    { [`${NS}:environment`]: "prod" },
  );
  const get = flow.get;
  const env = (service: string) =>
    Object.fromEntries(
      (
        JSON.parse(String(get(T.taskDef, service).inputs.containerDefinitions)) as {
          environment: { name: string; value: string }[];
        }[]
      )[0].environment.map((e) => [e.name, e.value]),
    );
  const grants = (service: string) => statementsOf(get(T.rolePolicy, `${service}-task`));
  const resourcesFor = (service: string, action: string) =>
    grants(service)
      .filter((s) => actionsOf(s).includes(action))
      .flatMap((s) => resourcesOf(s));
  const allResources = (service: string) => grants(service).flatMap((s) => resourcesOf(s));

  it("runs orders, billing and shipping on one cluster behind one API, VPC link and load balancer", () => {
    for (const type of [T.cluster, T.api, T.lb, T.vpcLink])
      expect(flow.run.recorder.byType(type), type).to.have.length(1);
    expect(
      flow.run.recorder
        .byType(T.service)
        .map((s) => s.name)
        .sort(),
    ).to.deep.equal(["billing", "orders", "shipping"]);
    const clusterArn = get(T.cluster, "microservices").state.arn;
    for (const s of flow.run.recorder.byType(T.service)) {
      expect(s.inputs.cluster).to.equal(clusterArn);
      expect(
        (s.inputs.networkConfiguration as { assignPublicIp: boolean }).assignPublicIp,
      ).to.equal(false);
    }
  });

  it("routes /orders, /invoices and /shipments by path through the shared API and listener", () => {
    expect(
      flow.run.recorder
        .byType(T.route)
        .map((x) => x.inputs.routeKey)
        .sort(),
    ).to.deep.equal([
      "ANY /invoices",
      "ANY /invoices/{proxy+}",
      "ANY /orders",
      "ANY /orders/{proxy+}",
      "ANY /shipments",
      "ANY /shipments/{proxy+}",
      // The aggregation route (a Lambda, see test/stacks/summaryRoutes.test.ts).
      "GET /orders/{id}/summary",
    ]);
    const forwardTo = (rule: string) =>
      (get(T.rule, rule).inputs.actions as { targetGroupArn: string }[])[0].targetGroupArn;
    for (const [rule, tg, path] of [
      ["orders-0", "orders", "/orders"],
      ["billing-0", "billing", "/invoices"],
      ["shipping-0", "shipping", "/shipments"],
    ]) {
      expect(forwardTo(rule)).to.equal(get(T.tg, tg).state.arn);
      expect(get(T.rule, rule).inputs.conditions).to.deep.equal([
        { pathPattern: { values: [path, `${path}/*`] } },
      ]);
    }
  });

  it("gives each service its own table", () => {
    const tables = Object.fromEntries(flow.run.recorder.byType(T.table).map((t) => [t.name, t]));
    expect(Object.keys(tables).sort()).to.deep.equal(["invoices", "orders", "shipments"]);
    expect(tables.orders.inputs.hashKey).to.equal("id");
    expect(tables.invoices.inputs.hashKey).to.equal("orderId");
    expect(env("orders").TABLE_NAME).to.equal(tables.orders.state.name);
    expect(env("billing").TABLE_NAME).to.equal(tables.invoices.state.name);
    expect(env("shipping").TABLE_NAME).to.equal(tables.shipments.state.name);
    for (const t of Object.values(tables))
      expect(t.inputs.deletionProtectionEnabled).to.equal(true);
  });

  it("fans OrderPlaced out through SNS to one queue (with its own DLQ) per downstream service", () => {
    const topic = get(T.topic, "order-events");
    for (const c of ["billing", "shipping"]) {
      const queue = get(T.queue, `order-events-${c}`);
      const dlq = get(T.queue, `order-events-${c}-dlq`);
      expect(JSON.parse(String(queue.inputs.redrivePolicy))).to.deep.equal({
        deadLetterTargetArn: dlq.state.arn,
        maxReceiveCount: 4,
      });
      // Six times the task's 30 s stop timeout: a message finished during a drain is not redelivered meanwhile.
      expect(queue.inputs.visibilityTimeoutSeconds).to.equal(180);
      const sub = get(T.subscription, `order-events-${c}`).inputs;
      expect(sub).to.include({
        topic: topic.state.arn,
        protocol: "sqs",
        endpoint: queue.state.arn,
        rawMessageDelivery: true,
      });
      expect(JSON.parse(String(sub.filterPolicy))).to.deep.equal({ eventType: ["OrderPlaced"] });
      expect(env(c).QUEUE_URL).to.equal(queue.state.url);
    }
    expect(env("orders").TOPIC_ARN).to.equal(topic.state.arn);
  });

  it("grants least privilege: orders writes its table and publishes; consumers poll only their queue", () => {
    const arn = (t: string) => get(T.table, t).state.arn as string;
    const topicArn = get(T.topic, "order-events").state.arn;
    expect(resourcesFor("orders", "sns:Publish")).to.deep.equal([topicArn]);
    expect(resourcesFor("orders", "dynamodb:PutItem")).to.deep.equal([arn("orders")]);
    expect(allResources("orders")).not.to.include.members([arn("invoices"), arn("shipments")]);
    for (const [c, table] of [
      ["billing", "invoices"],
      ["shipping", "shipments"],
    ]) {
      const queueArn = get(T.queue, `order-events-${c}`).state.arn;
      for (const action of [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
      ]) {
        expect(resourcesFor(c, action), `${c} ${action}`).to.deep.equal([queueArn]);
      }
      expect(resourcesFor(c, "kms:Decrypt")).to.have.length(1);
      expect(resourcesFor(c, "dynamodb:PutItem")).to.deep.equal([arn(table)]);
      expect(resourcesFor(c, "sns:Publish")).to.deep.equal([]);
      expect(allResources(c)).not.to.include(arn("orders"));
    }
  });

  it("builds orders and billing from the container template and runs the given shipping image", () => {
    const images = Object.fromEntries(
      flow.run.recorder.byType(T.image).map((i) => [i.name, [i.inputs.dockerfile, i.inputs.args]]),
    );
    expect(images).to.deep.equal({
      orders: ["functions/containers/Dockerfile", { SERVICE: "orders-service" }],
      billing: ["functions/containers/Dockerfile", { SERVICE: "billing-service" }],
    });
    const shipping = JSON.parse(String(get(T.taskDef, "shipping").inputs.containerDefinitions))[0];
    expect(shipping.image).to.equal("public.ecr.aws/acme/shipping@sha256:0abc");
  });

  it("draws the data flow: API -> ALB -> services -> tables, orders -> topic -> queues -> consumers", () => {
    const doc = {
      stack: "test",
      flows: [],
      resources: flow.run.resources,
      outputs: {},
      violations: [],
    } as unknown as PlanDocument;
    const mermaid = renderMermaid(doc);
    const node = (label: string) => {
      const m = new RegExp(`(n\\d+)[^\\n]*"${label}"`).exec(mermaid);
      expect(m, label).to.not.equal(null);
      return m![1];
    };
    const edge = (a: string, b: string) =>
      expect(mermaid, `${a} -> ${b}`).to.match(
        new RegExp(`${node(a)} -->(\\|[^|]*\\|)? ${node(b)}(\\n|$)`),
      );
    edge("HTTP API: microservices", "Load balancer: microservices");
    for (const s of ["orders", "billing", "shipping"])
      edge("Load balancer: microservices", `Fargate service: ${s}`);
    edge("Fargate service: orders", "DynamoDB: orders");
    edge("Fargate service: orders", "SNS: order-events");
    edge("SNS: order-events", "SQS: order-events-billing");
    edge("SQS: order-events-billing", "Fargate service: billing");
    edge("Fargate service: billing", "DynamoDB: invoices");
    edge("SQS: order-events-shipping", "Fargate service: shipping");
    edge("Fargate service: shipping", "DynamoDB: shipments");
  });

  it("outputs every URL, table and queue a user needs", () => {
    const out = flow.run.outputs.eventDrivenMicroservices as Record<string, string>;
    expect(out.ordersUrl).to.equal(`${out.apiUrl}/orders`);
    expect(out.invoicesUrl).to.equal(`${out.apiUrl}/invoices`);
    expect(out.shipmentsUrl).to.equal(`${out.apiUrl}/shipments`);
    expect(out).to.include.keys(
      "topicArn",
      "ordersTableName",
      "invoicesTableName",
      "shipmentsTableName",
      "billingQueueUrl",
      "shippingQueueUrl",
      "userPoolId",
    );
  });

  it("scales billing and shipping on their queue's backlog per task and oldest message age", () => {
    const POLICY = "aws:appautoscaling/policy:Policy";
    for (const worker of ["billing", "shipping"]) {
      const queueName = flow.run.recorder.get(T.queue, `order-events-${worker}`).state.name;
      const cfg = get(POLICY, `${worker}-backlog`).inputs
        .targetTrackingScalingPolicyConfiguration as {
        targetValue: number;
        customizedMetricSpecification: {
          metrics: {
            id: string;
            expression?: string;
            returnData: boolean;
            metricStat?: { metric: { metricName: string; dimensions: { value: string }[] } };
          }[];
        };
      };
      expect(cfg.targetValue).to.equal(50);
      const metrics = cfg.customizedMetricSpecification.metrics;
      expect(metrics.map((m) => m.metricStat?.metric.metricName ?? m.expression)).to.deep.equal([
        "ApproximateNumberOfMessagesVisible",
        "RunningTaskCount",
        "visible / tasks",
      ]);
      expect(metrics.filter((m) => m.returnData).map((m) => m.id)).to.deep.equal(["backlog"]);
      expect(metrics[0].metricStat?.metric.dimensions[0].value).to.equal(queueName);
      // Same scalable target as the service's CPU policy.
      const target = get("aws:appautoscaling/target:Target", worker).inputs.resourceId;
      expect(get(POLICY, `${worker}-backlog`).inputs.resourceId).to.equal(target);
      // Age: an alarm drives the step policy; another one pages the alarm topic.
      const step = get(POLICY, `${worker}-age`);
      expect(step.inputs.policyType).to.equal("StepScaling");
      const scaleOut = get("aws:cloudwatch/metricAlarm:MetricAlarm", `${worker}-age-scale-out`);
      expect(scaleOut.inputs).to.include({
        metricName: "ApproximateAgeOfOldestMessage",
        threshold: 120,
      });
      expect(scaleOut.inputs.alarmActions).to.deep.equal([step.state.arn]);
      const page = get("aws:cloudwatch/metricAlarm:MetricAlarm", `${worker}-queue-age`).inputs;
      expect(page).to.include({ metricName: "ApproximateAgeOfOldestMessage", threshold: 600 });
      expect(page.dimensions).to.deep.equal({ QueueName: queueName });
      expect(page.alarmActions).to.deep.equal([flow.run.outputs.alarmTopicArn]);
    }
    // orders is not a queue worker.
    expect(flow.run.recorder.byType(POLICY).map((p) => p.name)).to.not.include("orders-backlog");
  });

  it("has zero policy findings", () => {
    expect(stackFindings(flow.run).map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
  });
});

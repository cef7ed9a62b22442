import * as pulumi from "@pulumi/pulumi";
import { billingServiceEnvironment } from "../functions/containers/billing-service/env";
import { ordersServiceEnvironment } from "../functions/containers/orders-service/env";
import { shippingServiceEnvironment } from "../functions/containers/shipping-service/env";
import { z } from "zod";
import { intSetting } from "./settingFields";
import {
  FARGATE_STOP_TIMEOUT_SECONDS,
  MAX_RECEIVE_COUNT,
  VISIBILITY_TIMEOUT_FACTOR,
} from "../components/core/defaults";
import { FanOutTopic } from "../components/messaging/fanOutTopic";
import type { Monitored } from "../components/observability/flowDashboard";
import { FargateService } from "../components/containers/fargateService";
import { queueConsumeStatements } from "../components/compute/queueConsumer";
import { SecureTable, tableGrants } from "../components/data/secureTable";
import { orderSummaryRoute } from "./orderSummary";
import { defineFlow } from "./flow";
import {
  authOutputs,
  buildFargateCluster,
  checkFargateSettings,
  fargateApiFields,
  fargateServiceFields,
  fargateServiceDefaults,
  appImage,
} from "./fargateFlows";
import { loadBalancerTlsProblems } from "./loadBalancerTls";
import {
  BACKLOG_PER_TASK,
  QUEUE_AGE_ALARM_SECONDS,
  SCALE_OUT_AGE_SECONDS,
  addQueueScaling,
} from "../components/containers/queueScaling";

/** The downstream services: each consumes its own subscriber queue into its own table. */
const CONSUMERS = {
  billing: { resource: "invoices", app: "billing-service" },
  shipping: { resource: "shipments", app: "shipping-service" },
} as const;
type Consumer = keyof typeof CONSUMERS;
/** Each consumer app's env.ts writer. */
const CONSUMER_ENVIRONMENT = {
  billing: billingServiceEnvironment,
  shipping: shippingServiceEnvironment,
} satisfies Record<Consumer, unknown>;

/**
 * Worker messages take seconds; the visibility timeout covers a whole stop timeout six times over,
 * so a message being finished during a SIGTERM drain is never handed to a second task meanwhile.
 */
const WORKER_VISIBILITY_SECONDS = VISIBILITY_TIMEOUT_FACTOR * FARGATE_STOP_TIMEOUT_SECONDS;

const imageUri = z.string().min(1).optional();

export const eventDrivenMicroservicesSettings = z
  .strictObject({
    ...fargateApiFields,
    ...fargateServiceFields,
    maxReceiveCount: intSetting(1, 1000, MAX_RECEIVE_COUNT).describe(
      `Deliveries of an event to a downstream service before it moves to that service's DLQ. Default: ${MAX_RECEIVE_COUNT}.`,
    ),
    workerBacklogPerTask: intSetting(1, undefined, BACKLOG_PER_TASK).describe(
      `Billing and shipping: visible queue messages per running task that target tracking holds. Default: ${BACKLOG_PER_TASK}.`,
    ),
    workerScaleOutAgeSeconds: intSetting(60, undefined, SCALE_OUT_AGE_SECONDS).describe(
      `Billing and shipping: age (s) of the oldest queued message that adds tasks by steps. Default: ${SCALE_OUT_AGE_SECONDS}.`,
    ),
    workerQueueAgeAlarmSeconds: intSetting(61, undefined, QUEUE_AGE_ALARM_SECONDS).describe(
      `Billing and shipping: age (s) of the oldest queued message that raises the alarm. Default: ${QUEUE_AGE_ALARM_SECONDS}.`,
    ),
    images: z
      .strictObject({
        orders: imageUri.describe("Image URI of the orders service. Default: build it."),
        billing: imageUri.describe("Image URI of the billing service. Default: build it."),
        shipping: imageUri.describe("Image URI of the shipping service. Default: build it."),
      })
      .default({})
      .describe(
        "Images to run instead of building functions/containers/<service>-service (URIs, ideally by digest). Default: {} (build all; needs Docker on the machine running pulumi up).",
      ),
  })
  .superRefine(checkFargateSettings)
  .superRefine((s, ctx) => {
    if (s.workerQueueAgeAlarmSeconds <= s.workerScaleOutAgeSeconds) {
      ctx.addIssue({
        code: "custom",
        path: ["workerQueueAgeAlarmSeconds"],
        message: `must be above workerScaleOutAgeSeconds (${s.workerScaleOutAgeSeconds}): alarm only once scaling out had its chance`,
      });
    }
  });
export type EventDrivenMicroservicesSettings = z.infer<typeof eventDrivenMicroservicesSettings>;

export const eventDrivenMicroservices = defineFlow<EventDrivenMicroservicesSettings>({
  slug: "event-driven-microservices",
  componentName: "EventDrivenMicroservices",
  summary:
    "API Gateway -> VPC link -> internal ALB -> three Fargate services (orders, billing, shipping) on one cluster; OrderPlaced fans out through SNS to one SQS queue per downstream service; one DynamoDB table per service.",
  settings: eventDrivenMicroservicesSettings,
  checkStack: loadBalancerTlsProblems,
  build: (flow, settings, ctx) => {
    const parent = { parent: flow };
    const table = (name: string, key: string) =>
      new SecureTable(
        name,
        {
          hashKey: { name: key, type: "S" },
          deletionProtection: !ctx.isDev,
          retainOnDelete: ctx.retainData,
        },
        parent,
      );
    const image = (service: "orders" | Consumer) =>
      appImage(`${service}-service`, settings.images[service]);

    const events = new FanOutTopic(
      "order-events",
      {
        subscribers: Object.fromEntries(
          (Object.keys(CONSUMERS) as Consumer[]).map((c) => [
            c,
            {
              // The worker reads the event itself; eventType is a message attribute either way.
              rawMessageDelivery: true,
              filterPolicy: { eventType: ["OrderPlaced"] },
              visibilityTimeoutSeconds: WORKER_VISIBILITY_SECONDS,
              maxReceiveCount: settings.maxReceiveCount,
            },
          ]),
        ),
        ...ctx.operations,
      },
      parent,
    );

    const cluster = buildFargateCluster("microservices", flow, settings, ctx);
    const sized = fargateServiceDefaults(settings, ctx);

    const orders = table("orders", "id");
    const ordersService = new FargateService(
      "orders",
      {
        ...sized,
        cluster,
        ...image("orders"),
        paths: ["/orders"],
        environment: ordersServiceEnvironment<pulumi.Input<string>>({
          tableName: orders.name,
          topicArn: events.topic.arn,
        }),
        statements: [...tableGrants(orders, ["GetItem", "PutItem"]), ...events.publishStatements()],
      },
      parent,
    );

    const outputs: Record<string, unknown> = {};
    const downstream: Monitored[] = [];
    const consumerTables = {} as Record<Consumer, SecureTable>;
    for (const c of Object.keys(CONSUMERS) as Consumer[]) {
      const { resource } = CONSUMERS[c];
      const records = table(resource, "orderId");
      const queue = events.subscribers[c].queue;
      const service = new FargateService(
        c,
        {
          ...sized,
          cluster,
          ...image(c),
          paths: [`/${resource}`],
          environment: CONSUMER_ENVIRONMENT[c]<pulumi.Input<string>>({
            tableName: records.name,
            queueUrl: queue.url,
          }),
          statements: [
            ...tableGrants(records, ["GetItem", "PutItem"]),
            // functions/lib/container/queueWorker extends a message's visibility while it works.
            ...queueConsumeStatements(
              { arn: queue.arn, kmsKeyArn: events.queueKey.arn },
              { changeVisibility: true, polledBy: "code" },
            ),
          ],
        },
        parent,
      );
      consumerTables[c] = records;
      // Workers scale on what waits for them, not only on CPU.
      addQueueScaling(c, {
        service,
        queueName: queue.name,
        alarmTopicArn: ctx.operations.alarmTopicArn,
        backlogPerTask: settings.workerBacklogPerTask,
        scaleOutAgeSeconds: settings.workerScaleOutAgeSeconds,
        alarmAgeSeconds: settings.workerQueueAgeAlarmSeconds,
      });
      downstream.push(service, records);
      outputs[`${resource}Url`] = service.url;
      outputs[`${resource}TableName`] = records.name;
      outputs[`${c}QueueUrl`] = queue.url;
    }

    const summary = orderSummaryRoute(flow, ctx, cluster, {
      orders,
      invoices: consumerTables.billing,
      shipments: consumerTables.shipping,
    });

    // Request path first (API -> orders -> its table -> the event topic), then each consumer.
    ctx.dashboard(cluster, ordersService, orders, events, ...downstream, summary);
    return {
      apiUrl: cluster.url,
      ordersUrl: ordersService.url,
      ordersTableName: orders.name,
      topicArn: events.topic.arn,
      clusterName: cluster.cluster.name,
      ...outputs,
      orderSummaryUrlTemplate: pulumi.interpolate`${cluster.url}/orders/{id}/summary`,
      ...authOutputs(cluster),
    };
  },
});

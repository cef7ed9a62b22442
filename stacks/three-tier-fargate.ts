import { itemsServiceEnvironment } from "../functions/containers/items-service/env";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { FargateService } from "../components/containers/fargateService";
import { tableGrants } from "../components/data/secureTable";
import { defineFlow } from "./flow";
import { idTable } from "./flowTables";
import {
  authOutputs,
  buildFargateCluster,
  checkFargateSettings,
  fargateApiFields,
  fargateServiceDefaults,
  fargateServiceFields,
  appImage,
} from "./fargateFlows";
import { loadBalancerTlsProblems } from "./loadBalancerTls";

export const threeTierFargateSettings = z
  .strictObject({
    ...fargateApiFields,
    ...fargateServiceFields,
    image: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Run this image (URI, ideally by digest) instead of building functions/containers/items-service. Default: build it (needs Docker on the machine running pulumi up).",
      ),
  })
  .superRefine(checkFargateSettings);
export type ThreeTierFargateSettings = z.infer<typeof threeTierFargateSettings>;

export const threeTierFargate = defineFlow<ThreeTierFargateSettings>({
  slug: "three-tier-fargate",
  componentName: "ThreeTierFargate",
  summary:
    "API Gateway (HTTP API) -> VPC link -> internal ALB -> ECS Fargate service in private subnets -> DynamoDB: the items REST API in a container.",
  settings: threeTierFargateSettings,
  checkStack: loadBalancerTlsProblems,
  build: (flow, settings, ctx) => {
    // The same table shape as the Lambda flow: the same items domain runs on it.
    const table = idTable("fargate-items", ctx, flow);
    const cluster = buildFargateCluster("three-tier", flow, settings, ctx);
    const service = new FargateService(
      "items",
      {
        ...fargateServiceDefaults(settings, ctx),
        cluster,
        ...appImage("items-service", settings.image),
        paths: ["/items"],
        environment: itemsServiceEnvironment<pulumi.Input<string>>({ tableName: table.name }),
        statements: tableGrants(table, ["GetItem", "PutItem", "Scan", "UpdateItem", "DeleteItem"]),
      },
      { parent: flow },
    );
    ctx.dashboard(cluster, service, table);
    return {
      apiUrl: cluster.url,
      itemsUrl: service.url,
      tableName: table.name,
      clusterName: cluster.cluster.name,
      serviceName: service.serviceName,
      imageUri: service.imageUri,
      ...authOutputs(cluster),
    };
  },
});

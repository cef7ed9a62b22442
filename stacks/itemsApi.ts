/**
 * The items API the three-tier Lambda flows share (three-tier-lambda, three-tier-lambda-s3): its
 * settings, its construction and its outputs. Not a flow itself: flows never import each other.
 */
import * as pulumi from "@pulumi/pulumi";
import { itemsApiEnvironment } from "../functions/items-api/env";
import { z } from "zod";
import { intSetting, boolSetting } from "./settingFields";
import {
  API_AUTH_MODES,
  ApiBackedLambda,
  ApiHandler,
  ApiBackedLambdaArgs,
} from "../components/api/apiBackedLambda";
import {
  API_THROTTLE_BURST,
  API_THROTTLE_RATE,
  LAMBDA_MEMORY_MB,
  LAMBDA_TIMEOUT_SECONDS,
} from "../components/core/defaults";
import type { FlowOutputs, StackContext } from "./flow";

/**
 * Settings shared by the two three-tier Lambda flows (the S3 flow extends them). Every field has
 * a default, and the description (ending in its default) feeds the README's config reference.
 */
export const threeTierLambdaFields = {
  auth: z
    .enum(API_AUTH_MODES)
    .default("cognito")
    .describe(
      'How callers authenticate: "cognito" (JWT from a user pool the flow creates), "iam" (SigV4) or "none" (dev stacks only). Default: cognito.',
    ),
  corsOrigins: z
    .array(z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/, "is not an origin"))
    .default([])
    .describe(
      'Browser origins allowed to call the API (exact, e.g. "https://app.example.com"). Default: [] (no CORS).',
    ),
  throttleRateLimit: z
    .number()
    .positive()
    .max(10000)
    .default(API_THROTTLE_RATE)
    .describe(`Steady requests per second the API stage admits. Default: ${API_THROTTLE_RATE}.`),
  throttleBurstLimit: intSetting(1, 5000, API_THROTTLE_BURST).describe(
    `Burst of requests the API stage admits. Default: ${API_THROTTLE_BURST}.`,
  ),
  privateSubnets: boolSetting(true).describe(
    "Run the functions in the shared VPC's private subnets (HTTPS egress only; DynamoDB via its gateway endpoint). Default: true.",
  ),
  memorySize: intSetting(128, 10240, LAMBDA_MEMORY_MB).describe(
    `Memory of the API functions, MB. Default: ${LAMBDA_MEMORY_MB}.`,
  ),
  timeout: intSetting(1, 30, LAMBDA_TIMEOUT_SECONDS).describe(
    `Timeout of the API functions, seconds (API Gateway waits 30 at most). Default: ${LAMBDA_TIMEOUT_SECONDS}.`,
  ),
  reservedConcurrency: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("Reserved concurrency of the items function. Default: unreserved."),
};

export const threeTierLambdaSettings = z.strictObject(threeTierLambdaFields);
export type ThreeTierLambdaSettings = z.infer<typeof threeTierLambdaSettings>;

/**
 * The items API both flows deploy: ApiBackedLambda with the items handler (read/write on a table
 * keyed by `id`), in the shared VPC's private subnets unless turned off. `extraHandlers` lets the
 * S3 flow add its routes to the same API.
 */
export function buildItemsApi(
  name: string,
  flow: pulumi.ComponentResource,
  settings: ThreeTierLambdaSettings,
  ctx: StackContext,
  extraHandlers: Record<string, ApiHandler> = {},
  transform?: ApiBackedLambdaArgs["transform"],
): ApiBackedLambda {
  // auth "none" outside dev is refused by the config loader (`openAuthProblem`).
  return new ApiBackedLambda(
    `${name}-api`,
    {
      description: `Items API of flow ${name}`,
      auth: settings.auth,
      handlers: {
        items: {
          code: "items-api",
          routes: [
            "GET /items",
            "POST /items",
            "GET /items/{id}",
            "PUT /items/{id}",
            "DELETE /items/{id}",
          ],
          // functions/items-api (lib/items/repository): the calls its code makes.
          tableAccess: ["GetItem", "PutItem", "Scan", "UpdateItem", "DeleteItem"],
          environment: (table) =>
            itemsApiEnvironment<pulumi.Input<string>>({ tableName: table.name }),
          memorySize: settings.memorySize,
          timeout: settings.timeout,
          reservedConcurrency: settings.reservedConcurrency,
          description: "Items REST API (functions/items-api)",
        },
        ...extraHandlers,
      },
      table: { hashKey: { name: "id", type: "S" }, retainOnDelete: ctx.retainData },
      deletionProtection: !ctx.isDev,
      cors: settings.corsOrigins.length ? { origins: settings.corsOrigins } : undefined,
      throttleRateLimit: settings.throttleRateLimit,
      throttleBurstLimit: settings.throttleBurstLimit,
      network: settings.privateSubnets ? ctx.network() : undefined,
      ...ctx.operations,
      transform,
    },
    { parent: flow },
  );
}

/** The outputs a user of the items API needs. */
export function itemsApiOutputs(api: ApiBackedLambda): FlowOutputs {
  return {
    apiUrl: api.url,
    itemsUrl: pulumi.interpolate`${api.url}/items`,
    tableName: api.tableName,
    ...(api.userPoolId
      ? {
          userPoolId: api.userPoolId,
          userPoolClientId: api.userPoolClientIds!.apply((ids) => ids[0]),
        }
      : {}),
  };
}

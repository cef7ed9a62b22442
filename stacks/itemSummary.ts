import type * as pulumi from "@pulumi/pulumi";
import type { ApiBackedLambda } from "../components/api/apiBackedLambda";
import { LambdaRoute } from "../components/api/lambdaRoute";
import { tableKeyStatements } from "../components/data/secureTable";
import { allow } from "../components/security/iam";
import type { SecureBucket } from "../components/storage/secureBucket";
import { itemFilesPrefix } from "../functions/files-api/upload";
import { itemSummaryEnvironment } from "../functions/item-summary/env";
import type { StackContext } from "./flow";
import type { ThreeTierLambdaSettings } from "./itemsApi";

/**
 * `GET /items/{id}/summary` on the items API: the item and the files uploaded for it
 * (`POST /files` with `itemId`), read in parallel with a deadline each, partial results marked.
 * A Lambda rather than a synchronous Express workflow for the reasons in `orderSummary.ts`.
 */
export function itemSummaryRoute(
  name: string,
  flow: pulumi.ComponentResource,
  settings: ThreeTierLambdaSettings,
  ctx: StackContext,
  api: ApiBackedLambda,
  files: SecureBucket,
  keyPrefix: string,
): LambdaRoute {
  const table = api.table!;
  const prefix = itemFilesPrefix(keyPrefix);
  return new LambdaRoute(
    `${name}-item-summary`,
    {
      api: api.api,
      routes: ["GET /items/{id}/summary"],
      auth: settings.auth,
      authorizerId: api.authorizer?.id,
      code: "item-summary",
      description: "An item and its files in one answer (functions/item-summary)",
      statements: [
        allow(["dynamodb:GetItem"], [table.arn]),
        ...tableKeyStatements(table),
        // Listing only, and only under the item files prefix.
        allow(["s3:ListBucket"], [files.arn], { StringLike: { "s3:prefix": [`${prefix}*`] } }),
      ],
      environment: itemSummaryEnvironment<pulumi.Input<string>>({
        itemsTable: table.name,
        filesBucket: files.name,
        filesPrefix: prefix,
      }),
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      network: settings.privateSubnets ? ctx.network() : undefined,
      ...ctx.operations,
    },
    { parent: flow },
  );
}

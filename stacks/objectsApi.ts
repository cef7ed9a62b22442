import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { ApiBackedLambda, ApiCors } from "../components/api/apiBackedLambda";
import { objectsHandler, uploadsHandler } from "../components/api/objectUploadsApi";
import type { Network } from "../components/network/network";
import type { StackContext } from "./flow";
import { threeTierLambdaFields } from "./itemsApi";
import { objectUploadFields } from "./objectUploadSettings";

/**
 * The settings of an objects API (list and read the rows a flow wrote about its objects, sign
 * uploads into the bucket): the upload fields with the flow's own descriptions, and the API's
 * auth and throttle, spelled as in every flow.
 */
export function objectsApiFields(descriptions: { uploadPrefix: string; maxUploadBytes: string }) {
  return {
    ...objectUploadFields(descriptions),
    auth: threeTierLambdaFields.auth,
    throttleRateLimit: threeTierLambdaFields.throttleRateLimit,
    throttleBurstLimit: threeTierLambdaFields.throttleBurstLimit,
  };
}

/** What `objectsApiFields` parses to (derived from the schema, so the two cannot drift). */
export type ObjectsApiSettings = z.infer<z.ZodObject<ReturnType<typeof objectsApiFields>>>;

/** Where the objects API reads and signs, and how it is described. */
export interface ObjectsApiWiring {
  /** The API's description. */
  description: string;
  /** The bucket uploads are signed into. */
  bucket: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** The table of the flow's object rows (functions/objects-api reads it). */
  table: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** Descriptions of the two functions. */
  objectsDescription: string;
  uploadsDescription: string;
  /** Handlers in dashboard order: the route users meet first comes first. */
  order: readonly ("objects" | "uploads")[];
  cors?: ApiCors;
  network?: Network;
}

/**
 * The objects API of an S3 flow: functions/objects-api on `GET /objects...` and functions/files-api
 * on `POST /files`, one wiring for both flows that have it (s3-events-lambda, s3-events-fanout).
 */
export function objectsApi(
  name: string,
  s: ObjectsApiSettings,
  w: ObjectsApiWiring,
  ctx: StackContext,
  opts: pulumi.ComponentResourceOptions,
): ApiBackedLambda {
  const handlers = {
    objects: objectsHandler(w.objectsDescription),
    uploads: uploadsHandler({
      bucket: w.bucket,
      uploadPrefix: s.uploadPrefix,
      maxUploadBytes: s.maxUploadBytes,
      allowedContentTypes: s.allowedContentTypes,
      description: w.uploadsDescription,
    }),
  };
  return new ApiBackedLambda(
    name,
    {
      description: w.description,
      auth: s.auth,
      throttleRateLimit: s.throttleRateLimit,
      throttleBurstLimit: s.throttleBurstLimit,
      existingTable: { name: w.table.name, arn: w.table.arn },
      handlers: Object.fromEntries(w.order.map((h) => [h, handlers[h]])),
      cors: w.cors,
      deletionProtection: !ctx.isDev,
      network: w.network,
      ...ctx.operations,
    },
    opts,
  );
}

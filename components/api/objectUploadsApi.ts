import * as pulumi from "@pulumi/pulumi";
import { filesApiEnvironment } from "../../functions/files-api/env";
import { objectsApiEnvironment } from "../../functions/objects-api/env";
import type { ApiBackedLambda, ApiHandler } from "./apiBackedLambda";
import { Statement, allow } from "../security/iam";

/** The bucket an upload API signs PUTs into. */
export interface UploadBucketRef {
  name: pulumi.Input<string>;
  arn: pulumi.Input<string>;
}

/** ARN pattern of every object under `prefix` (a key prefix ending in `/`). */
export function prefixObjectsArn(bucket: UploadBucketRef, prefix: string): pulumi.Output<string> {
  return pulumi.interpolate`${bucket.arn}/${prefix}*`;
}

/**
 * Read uploaded objects under `prefix`: HeadObject and GetObject of a version need both object
 * actions, and `s3:ListBucket` on the bucket makes a missing key answer 404 rather than 403
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_Permissions),
 * which is how functions/lib/s3Objects.ts tells a deleted object from a denied one.
 */
export function readObjectsStatements(bucket: UploadBucketRef, prefix: string): Statement[] {
  return [
    allow(["s3:GetObject", "s3:GetObjectVersion"], [prefixObjectsArn(bucket, prefix)]),
    allow(["s3:ListBucket"], [bucket.arn]),
  ];
}

export interface UploadsHandlerArgs {
  /** Bucket the handler signs PUTs into. Required. */
  bucket: UploadBucketRef;
  /** Key prefix (ending in `/`) uploads are written under. Required. */
  uploadPrefix: string;
  /** Largest upload the presign route signs, bytes. Required. */
  maxUploadBytes: number;
  /** MIME types the presign route accepts. Required (1+). */
  allowedContentTypes: string[];
  /** Seconds a presigned URL stays valid. @default 300 (functions/files-api/env.ts) */
  urlTtlSeconds?: number;
  /** Console description of the function. Required. */
  description: string;
  /** MB. @default 256 (`LAMBDA_MEMORY_MB`) */
  memorySize?: number;
  /** Seconds. @default 10 (`LAMBDA_TIMEOUT_SECONDS`) */
  timeout?: number;
}

/**
 * The `uploads` handler of an object API (for `ApiBackedLambda`'s `handlers`):
 * functions/files-api on `POST /files`, signing PUTs under the prefix only.
 */
export function uploadsHandler(a: UploadsHandlerArgs): ApiHandler {
  return {
    code: "files-api",
    routes: ["POST /files"],
    tableAccess: "none",
    description: a.description,
    statements: [allow(["s3:PutObject"], [prefixObjectsArn(a.bucket, a.uploadPrefix)])],
    environment: filesApiEnvironment<pulumi.Input<string>>({
      bucket: a.bucket.name,
      keyPrefix: a.uploadPrefix,
      maxUploadBytes: a.maxUploadBytes,
      allowedContentTypes: a.allowedContentTypes,
      urlTtlSeconds: a.urlTtlSeconds,
    }),
    memorySize: a.memorySize,
    timeout: a.timeout,
  };
}

/**
 * The `objects` handler of an object API: functions/objects-api on `GET /objects[/{ref}]`,
 * reading the API's table. (Handler order is the dashboard's order, so flows compose the record.)
 */
export function objectsHandler(description: string): ApiHandler {
  return {
    code: "objects-api",
    routes: ["GET /objects", "GET /objects/{ref}"],
    // functions/objects-api: GET /objects scans, GET /objects/{ref} gets.
    tableAccess: ["GetItem", "Scan"],
    description,
    environment: (table) => objectsApiEnvironment<pulumi.Input<string>>({ tableName: table.name }),
  };
}

/** Stack outputs of an object API serving `uploadsHandler` and `objectsHandler`. */
export function objectUploadsApiOutputs(api: ApiBackedLambda) {
  return {
    apiUrl: api.url,
    uploadUrlEndpoint: pulumi.interpolate`${api.url}/files`,
    objectsEndpoint: pulumi.interpolate`${api.url}/objects`,
    // One convention in every flow: `userPoolId` and the app client a caller signs in with,
    // `userPoolClientId` (singular), present only when the API uses Cognito.
    ...(api.userPoolId
      ? {
          userPoolId: api.userPoolId,
          userPoolClientId: api.userPoolClientIds!.apply((ids) => ids[0]),
        }
      : {}),
  };
}

/**
 * `POST /files`: validates what the client wants to upload and answers with a presigned S3 PUT
 * URL. The content type and the exact size are signed into the URL, so S3 rejects an upload with
 * another type or length (the limits cannot be bypassed by editing the request).
 * Env: see ./env.ts.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { randomUUID } from "node:crypto";
import { HttpError, classifyFault, errorResponse, json, parseJsonBody } from "../lib/http";
import { describeIssues } from "../lib/items/service";
import { createLogger, withLambdaContext } from "../lib/logger";
import { readFilesApiEnv } from "./env";
import { UploadConfig, keyProblem, objectKey, uploadRequestSchema } from "./upload";

/** Headers the client must send with the PUT, exactly as signed. */
export const SIGNED_HEADERS = ["content-type", "content-length"];

export interface FilesApiDeps {
  s3: S3Client;
  config: UploadConfig;
  now?: () => Date;
  newId?: () => string;
  logger?: {
    info(message: string, extra: Record<string, unknown>): void;
    error(message: string, extra: Record<string, unknown>): void;
  };
}

export interface UploadTicket {
  uploadUrl: string;
  method: "PUT";
  bucket: string;
  key: string;
  /** Send these headers with the PUT, unchanged. */
  headers: Record<string, string>;
  expiresAt: string;
}

export function makeHandler(deps: FilesApiDeps) {
  const schema = uploadRequestSchema(deps.config);
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      const method = event.requestContext?.http?.method;
      if (method !== "POST") throw new HttpError(405, `${method} is not allowed on /files`);
      const parsed = schema.safeParse(parseJsonBody(event));
      if (!parsed.success) {
        const details = describeIssues(parsed.error);
        throw new HttpError(
          400,
          `upload request is invalid: ${details.map((d) => `${d.path} ${d.message}`).join("; ")}`,
          details,
        );
      }
      const { fileName, contentType, size, itemId } = parsed.data;
      const key = objectKey(deps.config, newId(), fileName, itemId);
      const problem = keyProblem(key);
      if (problem) throw new HttpError(400, problem, [{ path: "fileName", message: problem }]);
      const uploadUrl = await getSignedUrl(
        deps.s3,
        new PutObjectCommand({
          Bucket: deps.config.bucket,
          Key: key,
          ContentType: contentType,
          ContentLength: size,
        }),
        {
          expiresIn: deps.config.urlTtlSeconds,
          signableHeaders: new Set(SIGNED_HEADERS),
        },
      );
      const ticket: UploadTicket = {
        uploadUrl,
        method: "PUT",
        bucket: deps.config.bucket,
        key,
        headers: { "content-type": contentType, "content-length": String(size) },
        expiresAt: new Date(now().getTime() + deps.config.urlTtlSeconds * 1000).toISOString(),
      };
      deps.logger?.info("upload presigned", { key, contentType, size });
      return json(201, ticket, { "cache-control": "no-store" });
    } catch (e) {
      if (e instanceof HttpError && e.status < 500)
        return errorResponse(e.status, e.message, e.details);
      deps.logger?.error("presign failed", { error: e instanceof Error ? e.message : String(e) });
      const fault = classifyFault(e);
      const res = errorResponse(fault.status, fault.message);
      return { ...res, headers: { ...res.headers, ...fault.headers } };
    }
  };
}

let cached: ReturnType<typeof makeHandler> | undefined;
const logger = createLogger("files-api");

/** Lambda entry point: client and config are created on the first invocation. */
export const handler = withLambdaContext(logger, async (event: APIGatewayProxyEventV2) => {
  cached ??= makeHandler({
    // Flexible checksums would sign a checksum of an empty body into the URL, breaking uploads.
    s3: new S3Client({ requestChecksumCalculation: "WHEN_REQUIRED" }),
    config: readFilesApiEnv(),
    logger,
  });
  return cached(event);
});

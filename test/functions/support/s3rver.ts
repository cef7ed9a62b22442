/** An in-process s3rver (S3 emulator) with its buckets, and a path-style client pointed at it. */
import { S3Client } from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REGION } from "./dynalite";

// s3rver ships no types; only run/close are used.
const S3rver = require("s3rver") as new (opts: object) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

export interface LocalS3 {
  s3: S3Client;
  close(): Promise<void>;
}

export async function startS3rver(buckets: string[]): Promise<LocalS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3rver-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: REGION,
    // s3rver's fixed development credentials; it verifies SigV4 signatures with them.
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return {
    s3,
    close: async () => {
      s3.destroy();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

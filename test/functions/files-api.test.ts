import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { S3RequestPresigner } from "@aws-sdk/s3-request-presigner";
import { expect } from "chai";
import fc from "fast-check";
import { SIGNED_HEADERS, makeHandler } from "../../functions/files-api/handler";
import { readFilesApiEnv } from "../../functions/files-api/env";
import { UploadConfig } from "../../functions/files-api/upload";
import { httpApiEvent } from "./support/httpApi";
import { LocalS3, startS3rver } from "./support/s3rver";

const BUCKET = "files";
const ID = "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

const postFiles = (
  body: string | undefined,
  headers: Record<string, string> = {},
  method = "POST",
) =>
  httpApiEvent(method, "/files", {
    body,
    headers: { "content-type": "application/json", ...headers },
  });

describe("functions/files-api (presigned uploads against s3rver)", () => {
  let localS3: LocalS3;
  let s3: S3Client;
  let handler: ReturnType<typeof makeHandler>;
  const config: UploadConfig = {
    bucket: BUCKET,
    allowedContentTypes: ["image/png", "text/plain"],
    maxUploadBytes: 1000,
    urlTtlSeconds: 300,
    keyPrefix: "uploads/",
  };

  before(async () => {
    localS3 = await startS3rver([BUCKET]);
    s3 = localS3.s3;
    handler = makeHandler({
      s3,
      config,
      newId: () => ID,
      now: () => new Date("2026-01-01T00:00:00Z"),
    });
  });

  after(async () => {
    await localS3?.close();
  });

  const ticket = async (request: object) => {
    const res = await handler(postFiles(JSON.stringify(request)));
    expect(res.statusCode, res.body).to.equal(201);
    return JSON.parse(res.body!);
  };

  it("returns a presigned PUT with content type and length signed in", async () => {
    const t = await ticket({ fileName: "my photo+1.png", contentType: "image/png", size: 5 });
    expect(t).to.deep.include({
      method: "PUT",
      bucket: BUCKET,
      key: `uploads/${ID}/my photo+1.png`,
      headers: { "content-type": "image/png", "content-length": "5" },
      expiresAt: "2026-01-01T00:05:00.000Z",
    });
    const url = new URL(t.uploadUrl);
    expect(url.searchParams.get("X-Amz-SignedHeaders")).to.equal(
      "content-length;content-type;host",
    );
    expect(url.searchParams.get("X-Amz-Expires")).to.equal("300");
    // No flexible-checksum parameters: they would sign a checksum of an empty body.
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).to.deep.equal([]);
  });

  /**
   * S3's check of a presigned request, redone locally (s3rver does not verify SigV4): sign the
   * request actually sent, with the URL's date and expiry, and compare with the URL's signature.
   */
  async function s3WouldAccept(uploadUrl: string, sent: Record<string, string>) {
    const url = new URL(uploadUrl);
    const q = Object.fromEntries(url.searchParams);
    const amzDate = q["X-Amz-Date"];
    const query = Object.fromEntries(
      Object.entries(q).filter(([k]) => !k.toLowerCase().startsWith("x-amz-")),
    );
    const presigner = new S3RequestPresigner({ ...s3.config });
    const signed = await presigner.presign(
      {
        method: "PUT",
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query,
        headers: { host: url.host, ...sent },
      },
      {
        signingDate: new Date(
          amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"),
        ),
        expiresIn: Number(q["X-Amz-Expires"]),
        signableHeaders: new Set(SIGNED_HEADERS),
      },
    );
    return signed.query?.["X-Amz-Signature"] === q["X-Amz-Signature"];
  }

  it("signs the URL so S3 accepts exactly the announced type and size", async () => {
    const t = await ticket({ fileName: "notes été.txt", contentType: "text/plain", size: 11 });
    expect(await s3WouldAccept(t.uploadUrl, t.headers)).to.equal(true);
    expect(
      await s3WouldAccept(t.uploadUrl, { ...t.headers, "content-type": "text/html" }),
    ).to.equal(false);
    expect(await s3WouldAccept(t.uploadUrl, { ...t.headers, "content-length": "12" })).to.equal(
      false,
    );

    // The upload itself, as a browser would send it.
    const ok = await fetch(t.uploadUrl, {
      method: "PUT",
      body: "hello world",
      headers: { "content-type": "text/plain" },
    });
    expect(ok.status).to.equal(200);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: t.key }));
    expect(head.ContentType).to.equal("text/plain");
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: t.key }));
    expect(await got.Body!.transformToString()).to.equal("hello world");
  });

  it("answers bad upload requests with 4xx JSON errors naming the problem", async () => {
    const cases: [string | undefined, number, RegExp][] = [
      [
        JSON.stringify({ fileName: "a.gif", contentType: "image/gif", size: 1 }),
        400,
        /contentType must be one of/,
      ],
      [
        JSON.stringify({ fileName: "a.png", contentType: "image/png", size: 1001 }),
        400,
        /at most 1000/,
      ],
      [JSON.stringify({ fileName: "a.png", contentType: "image/png", size: 0 }), 400, /size/],
      [JSON.stringify({ fileName: "a.png", contentType: "image/png", size: 1.5 }), 400, /size/],
      [
        JSON.stringify({ fileName: "../etc/passwd", contentType: "text/plain", size: 1 }),
        400,
        /slashes/,
      ],
      [
        JSON.stringify({ fileName: "a\u0000.txt", contentType: "text/plain", size: 1 }),
        400,
        /control/,
      ],
      [JSON.stringify({ fileName: "..", contentType: "text/plain", size: 1 }), 400, /fileName/],
      [
        JSON.stringify({
          fileName: "a.png",
          contentType: "image/png",
          size: 1,
          acl: "public-read",
        }),
        400,
        /Unrecognized|acl/i,
      ],
      [JSON.stringify({ contentType: "image/png", size: 1 }), 400, /fileName/],
      ["{not json", 400, /not valid JSON/],
      [undefined, 400, /required/],
      ["x".repeat(70_000), 413, /limit/],
    ];
    for (const [body, status, message] of cases) {
      const res = await handler(postFiles(body));
      expect(res.statusCode, body?.slice(0, 60)).to.equal(status);
      const error = JSON.parse(res.body!).error;
      expect(error.status).to.equal(status);
      expect(error.message).to.match(message);
    }
    expect((await handler(postFiles("{}", { "content-type": "text/plain" }))).statusCode).to.equal(
      415,
    );
    expect((await handler(postFiles(undefined, {}, "GET"))).statusCode).to.equal(405);
  });

  it("never answers a generated request with a 5xx", async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc
        .record({
          fileName: fc.string({ maxLength: 300 }),
          contentType: fc.oneof(fc.constantFrom(...config.allowedContentTypes), fc.string()),
          size: fc.oneof(fc.integer(), fc.double()),
        })
        .map((r) => JSON.stringify(r)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await handler(postFiles(b));
        expect([201, 400, 413]).to.include(res.statusCode);
        expect(res.headers?.["content-type"]).to.equal("application/json");
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it("answers 500 without internals when presigning fails (credentials cannot be resolved)", async () => {
    const errors: string[] = [];
    const broken = makeHandler({
      s3: new S3Client({
        region: "us-east-1",
        credentials: async () => {
          throw new Error("could not load credentials from arn:aws:iam::123456789012:role/secret");
        },
      }),
      config,
      logger: { info: () => undefined, error: (m) => void errors.push(m) },
    });
    const res = await broken(
      postFiles(JSON.stringify({ fileName: "a.png", contentType: "image/png", size: 5 })),
    );
    expect(res.statusCode).to.equal(500);
    expect(JSON.parse(res.body!)).to.deep.equal({
      error: { status: 500, message: "internal error" },
    });
    expect(res.body).not.to.contain("secret");
    expect(errors).to.deep.equal(["presign failed"]);
  });

  it("reads its limits from the environment and rejects a broken deployment", () => {
    expect(
      readFilesApiEnv({
        BUCKET_NAME: "b",
        ALLOWED_CONTENT_TYPES: "Image/PNG, application/pdf",
        MAX_UPLOAD_BYTES: "2048",
      }),
    ).to.deep.equal({
      bucket: "b",
      allowedContentTypes: ["image/png", "application/pdf"],
      maxUploadBytes: 2048,
      urlTtlSeconds: 300,
      keyPrefix: "uploads/",
    });
    expect(() => readFilesApiEnv({})).to.throw(/files-api: .*BUCKET_NAME is not set/);
    expect(() => readFilesApiEnv({ BUCKET_NAME: "b", MAX_UPLOAD_BYTES: "lots" })).to.throw(
      /MAX_UPLOAD_BYTES=lots is not an integer/,
    );
    // Above S3's single-PUT limit: a presigned PUT could never upload it.
    expect(() =>
      readFilesApiEnv({ BUCKET_NAME: "b", MAX_UPLOAD_BYTES: String(6 * 1024 ** 3) }),
    ).to.throw(/MAX_UPLOAD_BYTES/);
  });
});

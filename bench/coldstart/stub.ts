/**
 * The local endpoint the benchmark points every SDK client at (AWS_ENDPOINT_URL, and
 * AWS_ENDPOINT_URL_KINESIS for the HTTP/2-only Kinesis client), so no request
 * leaves the machine: it answers each call with 403 AccessDenied in the caller's protocol (JSON
 * with __type, Smithy RPC v2 CBOR, query XML or REST XML). 403 is not retried, so a handler's
 * first call costs one local round trip and then takes its error path, as under a denied grant.
 */
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";

/** CBOR map of short text keys to short text values (RFC 8949 major types 5 and 3). */
function cborMap(entries: Record<string, string>): Buffer {
  const text = (s: string) => {
    const b = Buffer.from(s, "utf8");
    if (b.length >= 256) throw new Error("cborMap: text longer than 255 bytes");
    return Buffer.concat([Buffer.from(b.length < 24 ? [0x60 + b.length] : [0x78, b.length]), b]);
  };
  const pairs = Object.entries(entries);
  return Buffer.concat([
    Buffer.from([0xa0 + pairs.length]),
    ...pairs.flatMap(([k, v]) => [text(k), text(v)]),
  ]);
}

type Request = http.IncomingMessage | http2.Http2ServerRequest;
/** What the answer needs of an HTTP/1.1 or HTTP/2 compatibility response. */
interface Response {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(): unknown;
  end(body: Buffer): unknown;
}

function denial(req: Request): { type: string; body: Buffer; headers?: Record<string, string> } {
  if (req.headers["smithy-protocol"] === "rpc-v2-cbor") {
    return {
      type: "application/cbor",
      body: cborMap({ __type: "AccessDeniedException", message: "benchmark stub" }),
      headers: { "smithy-protocol": "rpc-v2-cbor" },
    };
  }
  if (req.headers["x-amz-target"]) {
    const body = JSON.stringify({ __type: "AccessDeniedException", message: "benchmark stub" });
    return { type: "application/x-amz-json-1.0", body: Buffer.from(body) };
  }
  if (String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
    const xml =
      "<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code>" +
      "<Message>benchmark stub</Message></Error><RequestId>stub</RequestId></ErrorResponse>";
    return { type: "text/xml", body: Buffer.from(xml) };
  }
  const xml = "<Error><Code>AccessDenied</Code><Message>benchmark stub</Message></Error>";
  return { type: "application/xml", body: Buffer.from(xml) };
}

export interface Stub {
  /** HTTP/1.1 endpoint (AWS_ENDPOINT_URL). */
  url: string;
  /** Cleartext HTTP/2 endpoint, for the clients that speak only HTTP/2 (Kinesis). */
  h2url: string;
  /** Requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

export async function startStub(): Promise<Stub> {
  let count = 0;
  const answer = (req: Request, res: Response) => {
    req.resume();
    req.on("end", () => {
      count++;
      const { type, body, headers } = denial(req);
      const head = req.method === "HEAD";
      res.writeHead(403, {
        "content-type": type,
        "content-length": head ? 0 : body.length,
        "x-amzn-requestid": "stub",
        ...headers,
      });
      if (head) res.end();
      else res.end(body);
    });
  };
  const servers = [
    http.createServer((req, res) => answer(req, res)),
    http2.createServer((req, res) => answer(req, res)),
  ];
  const urls: string[] = [];
  for (const server of servers) {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  return {
    url: urls[0],
    h2url: urls[1],
    requests: () => count,
    close: () =>
      Promise.all(
        servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      ).then(() => undefined),
  };
}

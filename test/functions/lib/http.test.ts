import { expect } from "chai";
import {
  HttpError,
  classifyFault,
  errorResponse,
  isThrottlingError,
  parseJsonBody,
} from "../../../functions/lib/http";
import * as faults from "../support/awsFaults";

describe("functions/lib/http", () => {
  const parse = (
    body: string | undefined,
    headers: Record<string, string> = {},
    isBase64Encoded = false,
  ) => parseJsonBody({ body, headers, isBase64Encoded });

  it("parses JSON bodies, plain and base64", () => {
    expect(parse('{"a":1}')).to.deep.equal({ a: 1 });
    expect(parse(Buffer.from('{"a":2}').toString("base64"), {}, true)).to.deep.equal({ a: 2 });
  });

  it("answers 400 for missing or invalid JSON, 413 for oversized, 415 for other types", () => {
    const status = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as HttpError).status;
      }
      return 200;
    };
    expect(status(() => parse(undefined))).to.equal(400);
    expect(status(() => parse("{nope"))).to.equal(400);
    expect(
      status(() =>
        parseJsonBody({ body: "x".repeat(20), headers: {}, isBase64Encoded: false }, 10),
      ),
    ).to.equal(413);
    expect(status(() => parse("{}", { "Content-Type": "text/plain" }))).to.equal(415);
    expect(status(() => parse("{}", { "content-type": "application/merge-patch+json" }))).to.equal(
      200,
    );
  });

  it("renders errors as JSON with the status inside", () => {
    const res = errorResponse(409, "version conflict", { expected: 2 });
    expect(res.statusCode).to.equal(409);
    expect(JSON.parse(res.body!)).to.deep.equal({
      error: { status: 409, message: "version conflict", details: { expected: 2 } },
    });
  });

  it("classifies AWS throttling as 503 with Retry-After and any other fault as 500, never echoing the error", () => {
    const throttled = [
      faults.dynamo.throughputExceeded(),
      faults.dynamo.throttling(),
      faults.s3.slowDown(),
      faults.sqs.throttled(),
      faults.sqs.kmsThrottled(),
      faults.sns.throttled(),
      // Any error the SDK's retry strategy classified as throttling.
      Object.assign(new Error("x"), { $retryable: { throttling: true } }),
    ];
    for (const e of throttled) {
      expect(isThrottlingError(e), e.name).to.equal(true);
      expect(classifyFault(e), e.name).to.deep.equal({
        status: 503,
        message: "the service is busy; retry shortly",
        headers: { "retry-after": "1" },
      });
    }
    const broken = [
      faults.dynamo.internal(),
      faults.dynamo.missingTable(),
      faults.s3.internal(),
      faults.sqs.internal(),
      faults.sns.notAuthorized(),
      new TypeError("cannot read properties of undefined"),
      "a thrown string",
      undefined,
    ];
    for (const e of broken) {
      expect(isThrottlingError(e), String(e)).to.equal(false);
      expect(classifyFault(e)).to.deep.equal({
        status: 500,
        message: "internal error",
        headers: {},
      });
    }
  });

  it("keeps an HttpError's cause out of the response", () => {
    const e = new HttpError(
      503,
      "could not publish",
      { orderId: "o-1" },
      { cause: faults.sns.notAuthorized() },
    );
    expect(e.cause).to.be.instanceOf(Error);
    const res = errorResponse(e.status, e.message, e.details);
    expect(res.body).not.to.contain(faults.SECRET);
    expect(res.body).not.to.contain("assumed-role");
  });
});

import { expect } from "chai";
import { HttpError, errorResponse, parseJsonBody } from "../../../functions/lib/http";

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
});

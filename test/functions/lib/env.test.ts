import { expect } from "chai";
import {
  defineEnv,
  envInt,
  envJson,
  envList,
  envString,
  readLogLevel,
} from "../../../functions/lib/env";

/** A value known only at deployment, as a Pulumi output would be. */
class Later {
  constructor(readonly value: string) {}
}

const contract = defineEnv("demo", {
  table: envString("TABLE"),
  prefix: envString("PREFIX", { default: "uploads/" }),
  size: envInt("SIZE", { default: 16, max: 100 }),
  colours: envList("COLOURS", { allowed: ["red", "blue"], default: ["red"] }),
  doc: envJson("DOC", (raw) => JSON.parse(raw) as { a: number }),
});

describe("functions/lib/env: the typed environment contract", () => {
  it("reads typed values and fills in the defaults", () => {
    expect(contract.read({ TABLE: "t", DOC: '{"a":1}' })).to.deep.equal({
      table: "t",
      prefix: "uploads/",
      size: 16,
      colours: ["red"],
      doc: { a: 1 },
    });
    // An empty list is a value ("none"), an empty string or number is unset.
    expect(contract.read({ TABLE: "t", DOC: "{}", COLOURS: "", SIZE: "", PREFIX: "" })).to.include({
      size: 16,
      prefix: "uploads/",
    });
    expect(contract.read({ TABLE: "t", DOC: "{}", COLOURS: "" }).colours).to.deep.equal([]);
  });

  it("lists every problem of a bad environment in one error naming the function", () => {
    expect(() => contract.read({ SIZE: "1.5", COLOURS: "red,green" })).to.throw(
      /^demo: bad environment .*TABLE is not set; SIZE=1.5 is not an integer in \[1, 100\]; COLOURS has unknown green.*; DOC is not set$/,
    );
    expect(() => contract.read({ TABLE: "t", DOC: "{}", SIZE: "101" })).to.throw(/SIZE=101/);
  });

  it("writes every declared variable, defaults included, passing deployment-time values through", () => {
    const later = new Later("arn");
    const env = contract.environment<Later>({ table: later, doc: "{}", size: 4 });
    expect(env).to.deep.equal({
      TABLE: later,
      PREFIX: "uploads/",
      SIZE: "4",
      COLOURS: "red",
      DOC: "{}",
    });
    expect(Object.keys(env)).to.deep.equal(contract.names);
  });

  it("refuses, at deployment, a value the function would refuse", () => {
    expect(() => contract.environment({ table: "t", doc: "{}", size: 1000 })).to.throw(
      /demo: size: SIZE=1000/,
    );
    expect(() =>
      contract.environment({ table: "t", doc: "{}", colours: ["red", "green" as "red"] }),
    ).to.throw(/unknown green/);
    expect(() =>
      contract.environment({ table: "t", doc: "{}", colours: ["red,blue" as "red"] }),
    ).to.throw(/contains a comma/);
    // Untyped callers (plain JS) still get a clear error for a missing variable.
    expect(() => contract.environment({ doc: "{}" } as never)).to.throw(
      /table \(TABLE\) is required/,
    );
  });

  it("refuses a contract declaring one variable twice", () => {
    expect(() => defineEnv("dup", { a: envString("X"), b: envString("X") })).to.throw(/X twice/);
  });

  it("reads the operator's log level, default INFO", () => {
    expect(readLogLevel({})).to.equal("INFO");
    expect(readLogLevel({ LOG_LEVEL: "SILENT" })).to.equal("SILENT");
    expect(readLogLevel({ LOG_LEVEL: "SILENT", POWERTOOLS_LOG_LEVEL: "DEBUG" })).to.equal("DEBUG");
  });
});

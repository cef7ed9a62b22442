// @ts-check
/* global require, process, Buffer */
// Runs one esbuild build with plugins and prints { code, map } as JSON on stdout (and esbuild's
// metafile when BUNDLE_METAFILE is set, for size analysis). A child process of bundle.ts:
// esbuild's synchronous API (which a ComponentResource constructor needs) cannot run plugins, so
// bundle.ts spawns this file synchronously instead. Plain JavaScript, so it runs under every
// loader (Pulumi's ts-node, tsx, plain node) without compiling.
"use strict";
const esbuild = require("esbuild");
const fs = require("node:fs");

/**
 * `import { z } from "zod"` makes esbuild keep zod's whole namespace object, locales and core
 * included (about 460 KiB); `import * as z from "zod"` lets it keep only what the code uses. Same
 * binding, same functions (zod's index re-exports one namespace both ways). Powertools' parser
 * imports zod the first way, so this runs on dependencies too.
 * @param {string} source
 */
function zodNamespaceImports(source) {
  return source.replace(
    /(^|[\n;])(\s*)import\s*\{([^}]*)\}\s*from\s*(["'])zod\4;?/g,
    (whole, lead, space, names, quote) => {
      const specifiers = names
        .split(",")
        .map((/** @type {string} */ s) => s.trim())
        .filter(Boolean);
      if (!specifiers.includes("z")) return whole;
      const rest = specifiers.filter((/** @type {string} */ s) => s !== "z");
      const star = `import * as z from ${quote}zod${quote};`;
      const named = rest.length ? `import { ${rest.join(", ")} } from ${quote}zod${quote};` : "";
      return `${lead}${space}${named}${star}`;
    },
  );
}

/**
 * The SDK's generated schema modules key their objects by constants (`{ [_e]: _c }`); esbuild
 * cannot prove such computed keys free of side effects, so it keeps every schema of the service
 * (64 KiB of S3's) although a function uses a handful. Inlining the string constants into the
 * keys lets tree shaking drop the unused schemas; the values are unchanged.
 * @param {string} source
 */
function inlineSchemaKeys(source) {
  /** @type {Map<string, string>} */
  const constants = new Map();
  for (const m of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) {
    constants.set(m[1], m[2]);
  }
  return source.replace(/\[(_\w+)\]:/g, (whole, name) =>
    constants.has(name) ? `[${constants.get(name)}]:` : whole,
  );
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** @param {string} text @returns {number[][][]} segments per generated line, absolute values */
function decodeMappings(text) {
  const state = [0, 0, 0, 0, 0];
  return text.split(";").map((line) => {
    state[0] = 0;
    if (!line) return [];
    return line.split(",").map((segment) => {
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          const n = value & 1 ? -(value >>> 1) : value >>> 1;
          state[fields.length] += n;
          fields.push(state[fields.length]);
          value = 0;
          shift = 0;
        }
      }
      return fields;
    });
  });
}

/** @param {number} n */
function vlq(n) {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/** @param {number[][][]} lines */
function encodeMappings(lines) {
  const state = [0, 0, 0, 0, 0];
  return lines
    .map((segments) => {
      state[0] = 0;
      return segments
        .map((fields) => {
          const out = fields.map((f, i) => vlq(f - state[i])).join("");
          fields.forEach((f, i) => (state[i] = f));
          return out;
        })
        .join(",");
    })
    .join(";");
}

/**
 * Keeps the map's mappings of the repository's own sources only. Node parses a whole map when it
 * loads the file it belongs to (about 30 ms for the SDK's 500 KiB), on every cold start; frames
 * inside dependencies then show bundle.js positions, ours their TypeScript file and line.
 * @param {string} json
 */
function ownSourcesOnly(json) {
  const map = JSON.parse(json);
  /** @type {Map<number, number>} */
  const sources = new Map();
  /** @type {Map<number, number>} */
  const names = new Map();
  const keep = (/** @type {number} */ i) => !map.sources[i].split("/").includes("node_modules");
  const lines = decodeMappings(map.mappings).map((segments) =>
    segments
      .filter((f) => f.length >= 4 && keep(f[1]))
      .map((f) => {
        if (!sources.has(f[1])) sources.set(f[1], sources.size);
        const out = [f[0], /** @type {number} */ (sources.get(f[1])), f[2], f[3]];
        if (f.length === 5) {
          if (!names.has(f[4])) names.set(f[4], names.size);
          out.push(/** @type {number} */ (names.get(f[4])));
        }
        return out;
      }),
  );
  return JSON.stringify({
    version: 3,
    sources: [...sources.keys()].map((i) => map.sources[i]),
    names: [...names.keys()].map((i) => map.names[i]),
    mappings: encodeMappings(lines),
  });
}

/**
 * What replaces `@smithy/core/event-streams` in a bundle (see `shrink`): the client-construction
 * resolver is the real one (a one-line Object.assign), everything that would encode or decode an
 * event stream throws.
 */
const EVENT_STREAMS_STUB = `
const refuse = () => {
  throw new Error("event streams are left out of this bundle (components/compute/bundleWorker.js): keep the event-stream codec for a function that calls an event-stream operation");
};
class Refused { constructor() { refuse(); } }
export const resolveEventStreamSerdeConfig = (input) =>
  Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });
export const eventStreamSerdeProvider = () => ({ serialize: refuse, deserialize: refuse });
export const universalEventStreamSerdeProvider = eventStreamSerdeProvider;
export {
  Refused as EventStreamCodec, Refused as HeaderMarshaller, Refused as Int64,
  Refused as MessageDecoderStream, Refused as MessageEncoderStream,
  Refused as SmithyMessageDecoderStream, Refused as SmithyMessageEncoderStream,
  Refused as EventStreamMarshaller, Refused as UniversalEventStreamMarshaller,
  Refused as EventStreamSerde, refuse as readableStreamToIterable, refuse as iterableToReadableStream,
  refuse as getChunkedStream, refuse as getUnmarshalledStream, refuse as getMessageUnmarshaller,
};
`;

/** The SDK's pure-JavaScript hash fallbacks (see `shrink`). */
const JS_HASH_FALLBACK =
  /(@smithy\/core\/dist-es\/submodules\/checksum\/(sha256\/Sha256Js|md5\/Md5Js)|@aws-sdk\/checksums\/dist-es\/submodules\/sha\/sha1\/Sha1Js)\.js$/;

/** @param {string} name the class the module exports, e.g. `Sha256Js` */
function jsHashStub(name) {
  return `export class ${name} {
  constructor() {
    throw new Error("${name} (the SDK's fallback for a Node crypto without this hash) is left out of this bundle (components/compute/bundleWorker.js)");
  }
}
`;
}

/** @type {esbuild.Plugin} */
const shrink = {
  name: "shrink",
  setup(build) {
    // Only files that may need it pass through JavaScript: the repository's TypeScript, the
    // Powertools packages (their parser imports zod) and the SDK's schema modules.
    const filter = /(\.ts|@aws-lambda-powertools\/.*\.js|\/dist-es\/schemas\/schemas_\d+\.js)$/;
    build.onLoad({ filter }, (args) => {
      const source = fs.readFileSync(args.path, "utf8");
      let contents = source;
      if (/\bfrom\s*["']zod["']/.test(source)) contents = zodNamespaceImports(contents);
      if (/@aws-sdk\/client-[^/]+\/dist-es\/schemas\/schemas_\d+\.js$/.test(args.path)) {
        contents = inlineSchemaKeys(contents);
      }
      if (contents === source) return undefined;
      return { contents, loader: args.path.endsWith(".ts") ? "ts" : "js" };
    });
    // Event streams (S3 SelectObjectContent, Kinesis SubscribeToShard) are the only operations
    // that need @smithy/core's event-stream codec, about 15 KiB that S3 and Kinesis clients import
    // whether or not a function calls them. No function here does: the clients get a marshaller
    // that refuses with a message naming this file, and every other operation is unchanged.
    build.onLoad(
      { filter: /@smithy\/core\/dist-es\/submodules\/event-streams\/index\.js$/ },
      () => ({
        contents: EVENT_STREAMS_STUB,
        loader: "js",
      }),
    );
    // Pure-JavaScript SHA-256, SHA-1 and MD5: the SDK's fallbacks for a Node whose crypto lacks
    // the algorithm (FIPS mode refuses MD5). Lambda's Node.js runtimes are not in FIPS mode and
    // have all three natively, so the fallbacks (about 8 KiB) are never chosen there; a Node
    // without them gets an error naming this file instead of a slow hash.
    build.onLoad({ filter: JS_HASH_FALLBACK }, (args) => ({
      contents: jsHashStub(/** @type {string} */ (args.path.split("/").pop()).replace(".js", "")),
      loader: "js",
    }));
    // The SDK imports its package.json only for `version` (the User-Agent): keep name and version,
    // not the whole manifest of every client.
    build.onLoad({ filter: /node_modules\/@(aws-sdk|smithy)\/[^/]+\/package\.json$/ }, (args) => {
      const { name, version } = JSON.parse(fs.readFileSync(args.path, "utf8"));
      return { contents: JSON.stringify({ name, version }), loader: "json" };
    });
  },
};

/**
 * Modules left to the Lambda runtime's own copy: imported through `require`, which (unlike
 * `import()`) searches NODE_PATH, where the runtime puts /var/runtime/node_modules.
 * @param {string[]} names
 * @returns {esbuild.Plugin}
 */
function runtimeProvided(names) {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[/.-]/g, "\\$&")).join("|")})$`);
  return {
    name: "runtime-provided",
    setup(build) {
      build.onResolve({ filter }, (args) =>
        args.namespace === "runtime-provided"
          ? { path: args.path, external: true }
          : { path: args.path, namespace: "runtime-provided" },
      );
      build.onLoad({ filter: /.*/, namespace: "runtime-provided" }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: "js",
      }));
    },
  };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  /** @type {esbuild.BuildOptions & { runtimeProvided?: string[] }} */
  const { runtimeProvided: provided = [], ...options } = JSON.parse(
    Buffer.concat(chunks).toString("utf8"),
  );
  const plugins = provided.length ? [shrink, runtimeProvided(provided)] : [shrink];
  const result = await esbuild.build({
    ...options,
    plugins,
    write: false,
    metafile: !!process.env.BUNDLE_METAFILE,
  });
  const file = (/** @type {string} */ suffix) =>
    result.outputFiles.find((f) => f.path.endsWith(suffix))?.text ?? "";
  const metafile = process.env.BUNDLE_METAFILE ? result.metafile : undefined;
  const map = file(".js.map");
  process.stdout.write(
    JSON.stringify({ code: file(".js"), map: map && ownSourcesOnly(map), metafile }),
  );
}

main().catch((e) => {
  process.stderr.write(String(e && e.message ? e.message : e));
  process.exit(1);
});

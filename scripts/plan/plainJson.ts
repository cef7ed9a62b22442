import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

/** Pulumi's marker for a value not known until apply. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Synchronous view of an asset's content, when it has one (StringAsset). */
function describeAsset(asset: pulumi.asset.Asset): Record<string, unknown> {
  const a = asset as unknown as { text?: unknown; path?: unknown; uri?: unknown };
  if (typeof a.text === "string")
    return { asset: "string", bytes: Buffer.byteLength(a.text), sha256: sha256(a.text) };
  if (typeof a.path === "string") return { asset: "file", path: a.path };
  if (typeof a.uri === "string") return { asset: "remote", uri: a.uri };
  return { asset: "unknown" };
}

/**
 * Converts deserialised resource properties to plain JSON: unknowns become null, assets and
 * archives become descriptions with content hashes, resource references become their URN.
 * Keys are sorted so two plans of the same program are byte-identical.
 */
export async function toPlainJson(value: unknown): Promise<unknown> {
  if (value === undefined || value === null) return null;
  if (value === UNKNOWN) return null;
  if (typeof value !== "object") return value;
  if (pulumi.asset.Asset.isInstance(value)) return describeAsset(value);
  if (pulumi.asset.Archive.isInstance(value)) {
    const a = value as unknown as {
      assets?: Promise<Record<string, unknown>> | Record<string, unknown>;
    };
    const assets = a.assets ? await a.assets : undefined;
    return { archive: assets ? await toPlainJson(assets) : "file" };
  }
  if (pulumi.Resource.isInstance(value)) return await valueOfUrn(value);
  if (Array.isArray(value)) return Promise.all((value as unknown[]).map(toPlainJson));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    out[key] = await toPlainJson((value as Record<string, unknown>)[key]);
  }
  return out;
}

function valueOfUrn(resource: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => resource.urn.apply((u) => resolve(u)));
}

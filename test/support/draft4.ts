/**
 * A real JSON Schema draft-4 validator for tests: Ajv 6 with the draft-04 meta-schema, the
 * configuration Ajv documents for draft-04 (https://github.com/ajv-validator/ajv/tree/v6#using-version-6).
 * API Gateway validates request bodies against draft-4 models, so this is the model's verdict, and
 * the processor's own validator (functions/lib/jsonSchema.ts) must agree with it.
 * Ajv 6 is installed as ESLint's dependency (not a direct one of this project); with
 * `unicode: true` (the default) string lengths count code points, as draft 4 says.
 */
import Ajv from "ajv";
import draft04 from "ajv/lib/refs/json-schema-draft-04.json";

const ajv = new Ajv({ schemaId: "id", meta: false, allErrors: true, validateSchema: true });
ajv.addMetaSchema(draft04);
// Ajv 6's documented draft-04 switch; its typings omit the private option.
(ajv as unknown as { _opts: { defaultMeta: string } })._opts.defaultMeta = draft04.id;

const cache = new WeakMap<object, Ajv.ValidateFunction>();

function compiled(schema: object): Ajv.ValidateFunction {
  let v = cache.get(schema);
  if (!v) {
    if (!ajv.validateSchema(schema)) {
      throw new Error(`not a valid draft-4 schema: ${ajv.errorsText(ajv.errors)}`);
    }
    v = ajv.compile(schema);
    cache.set(schema, v);
  }
  return v;
}

/** Whether `value` satisfies the draft-4 `schema`, and the dotted path of every error. */
export function draft4Validate(
  schema: object,
  value: unknown,
): { success: boolean; paths: string[] } {
  const validate = compiled(schema);
  const success = validate(value) as boolean;
  const paths = (validate.errors ?? []).map((e) => {
    const base = e.dataPath.replace(/\[(\d+)\]/g, ".$1").replace(/\['([^']*)'\]/g, ".$1");
    const missing = (e.params as { missingProperty?: string }).missingProperty;
    const path = missing ? `${base}.${missing.replace(/^\./, "")}` : base;
    return path.replace(/^\./, "");
  });
  return { success, paths };
}

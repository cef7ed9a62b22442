/**
 * The AWS calls a function's code makes, found statically: every `new XxxCommand(...)` of an
 * `@aws-sdk/*` package anywhere in the module graph esbuild bundles for its entry (the metafile
 * lists exactly the files the deployed bundle contains), mapped to the IAM actions AWS authorises
 * the call with.
 */
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { referenceActions } from "../../components/security/iamReference";

export const REPO = path.resolve(__dirname, "..", "..");

/** One SDK command constructed in the code. */
export interface CodeCall {
  /** `dynamodb:PutItem`, ...: what IAM evaluates for the call. */
  actions: string[];
  /** The SDK command, e.g. `@aws-sdk/lib-dynamodb PutCommand`. */
  command: string;
  /** `functions/lib/idempotentPut.ts:19`. */
  site: string;
  /** Names of the properties of the command's input literal (`TableName`, `VersionId`, ...). */
  inputKeys: string[];
}

/** IAM service prefix of each SDK client package the functions use. */
const CLIENT_SERVICE: Record<string, string> = {
  "@aws-sdk/client-dynamodb": "dynamodb",
  "@aws-sdk/lib-dynamodb": "dynamodb",
  "@aws-sdk/client-s3": "s3",
  "@aws-sdk/client-sqs": "sqs",
  "@aws-sdk/client-sns": "sns",
  "@aws-sdk/client-kinesis": "kinesis",
  "@aws-sdk/client-cloudwatch": "cloudwatch",
};

/**
 * Commands whose IAM action is not their own name, from each service's "Actions, resources, and
 * condition keys" page and API reference (e.g. SendMessageBatch is authorised as SendMessage:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
 */
const COMMAND_ACTIONS: Record<string, (keys: string[]) => string[]> = {
  // lib-dynamodb's document commands wrap the low-level ones.
  "dynamodb:Get": () => ["dynamodb:GetItem"],
  "dynamodb:Put": () => ["dynamodb:PutItem"],
  "dynamodb:Update": () => ["dynamodb:UpdateItem"],
  "dynamodb:Delete": () => ["dynamodb:DeleteItem"],
  "dynamodb:BatchWrite": () => ["dynamodb:BatchWriteItem"],
  "dynamodb:BatchGet": () => ["dynamodb:BatchGetItem"],
  "sqs:SendMessageBatch": () => ["sqs:SendMessage"],
  "sqs:DeleteMessageBatch": () => ["sqs:DeleteMessage"],
  "sqs:ChangeMessageVisibilityBatch": () => ["sqs:ChangeMessageVisibility"],
  // https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html: needs sns:Publish.
  "sns:PublishBatch": () => ["sns:Publish"],
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html: HEAD needs s3:GetObject,
  // and s3:GetObjectVersion when a VersionId is named.
  "s3:HeadObject": (keys) => [
    "s3:GetObject",
    ...(keys.includes("VersionId") ? ["s3:GetObjectVersion"] : []),
  ],
  "s3:GetObject": (keys) => [
    "s3:GetObject",
    ...(keys.includes("VersionId") ? ["s3:GetObjectVersion"] : []),
  ],
};

/** The project files esbuild bundles for an entry (same options as components/bundle.ts). */
export function moduleGraph(entry: string): string[] {
  const result = esbuild.buildSync({
    entryPoints: [path.join(REPO, entry)],
    absWorkingDir: REPO,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs)
    .filter((f) => f.startsWith("functions/"))
    .sort();
}

/** Every SDK command constructed in one source file. */
export function callsInFile(file: string): CodeCall[] {
  const text = fs.readFileSync(path.join(REPO, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const imported = new Map<string, string>();
  for (const st of source.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const bindings = st.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const el of bindings.elements) {
      imported.set(el.name.text, st.moduleSpecifier.text);
    }
  }
  const calls: CodeCall[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const name = node.expression.text;
      const module = imported.get(name);
      if (module?.startsWith("@aws-sdk/") && name.endsWith("Command")) {
        const service = CLIENT_SERVICE[module];
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        const site = `${file}:${line}`;
        if (!service)
          throw new Error(`${site}: no IAM service known for ${module}; add it to CLIENT_SERVICE`);
        const arg = node.arguments?.[0];
        const inputKeys =
          arg && ts.isObjectLiteralExpression(arg)
            ? arg.properties.flatMap((p) =>
                p.name && ts.isIdentifier(p.name) ? [p.name.text] : [],
              )
            : [];
        const key = `${service}:${name.slice(0, -"Command".length)}`;
        const actions = COMMAND_ACTIONS[key]?.(inputKeys) ?? [key];
        for (const a of actions) {
          if (referenceActions(a).length !== 1) {
            throw new Error(
              `${site}: ${module} ${name} maps to "${a}", which is not one IAM action; map it in COMMAND_ACTIONS`,
            );
          }
        }
        calls.push({ actions, command: `${module} ${name}`, site, inputKeys });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return calls;
}

/** Every SDK call in the module graph of an entry file. */
export function codeCalls(entry: string): CodeCall[] {
  return moduleGraph(entry).flatMap(callsInFile);
}

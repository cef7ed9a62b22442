/**
 * `GET /aggregates?type=&key=&from=&to=`: the analytics stage's windows for one of the caller's
 * keys (JWT subject, see `../notify-subscriptions/subscriptions.ts`), shards summed per window.
 * 400 for a bad or foreign query, 503 when DynamoDB throttles, never AWS text.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { classifyFault, errorBody, errorResponse, json } from "../lib/http";
import { createLogger, withLambdaContext } from "../lib/logger";
import { lazy } from "../lib/runtime";
import { AggregatesApiEnv, readAggregatesApiEnv } from "./env";
import { QueryError, ShardRow, mergeWindows, parseAggregatesQuery } from "./query";

/** Pages read at most (1 MB each): a 24-hour range of one metric is far below this. */
export const MAX_PAGES = 10;

export interface Deps {
  doc: DynamoDBDocumentClient;
  env: AggregatesApiEnv;
  now?: () => Date;
  logger?: { error(message: string, extra: Record<string, unknown>): void };
}

export function makeHandler(deps: Deps) {
  const now = deps.now ?? (() => new Date());
  return async (
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const sub = event.requestContext?.authorizer?.jwt?.claims?.sub;
    if (typeof sub !== "string" || !sub) return errorResponse(401, "a signed-in user is required");
    if (event.requestContext?.http?.method !== "GET")
      return errorResponse(405, "only GET is allowed on /aggregates");
    let q;
    try {
      q = parseAggregatesQuery(sub, event.queryStringParameters ?? {}, now());
    } catch (e) {
      if (e instanceof QueryError) return errorResponse(400, e.message);
      throw e;
    }
    try {
      const rows: ShardRow[] = [];
      let start: Record<string, unknown> | undefined;
      let pages = 0;
      do {
        const page = await deps.doc.send(
          new QueryCommand({
            TableName: deps.env.aggregatesTable,
            // windowShard is `<window start>#<shard>`: a range on the start, every shard.
            KeyConditionExpression: "metric = :m AND windowShard BETWEEN :from AND :to",
            ExpressionAttributeValues: { ":m": q.metric, ":from": q.from, ":to": `${q.to}#\uffff` },
            ExclusiveStartKey: start,
          }),
        );
        rows.push(...((page.Items ?? []) as ShardRow[]));
        start = page.LastEvaluatedKey;
        pages += 1;
      } while (start && pages < MAX_PAGES);
      return json(200, {
        metric: q.metric,
        from: q.from,
        to: q.to,
        windows: mergeWindows(rows),
        truncated: start !== undefined,
      });
    } catch (e) {
      deps.logger?.error("aggregates query failed", { error: e });
      const fault = classifyFault(e);
      return json(fault.status, errorBody(fault.status, fault.message), fault.headers);
    }
  };
}

const logger = createLogger("aggregates-api");
const handlerOnce = lazy(() =>
  makeHandler({
    // wrapNumbers: the exact sums (up to 38 digits) are read as text, never rounded to a double.
    doc: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      unmarshallOptions: { wrapNumbers: true },
    }),
    env: readAggregatesApiEnv(),
    logger,
  }),
);
export const handler = withLambdaContext(logger, (event: APIGatewayProxyEventV2WithJWTAuthorizer) =>
  handlerOnce()(event),
);

import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** What a conditional put did: wrote the row, or found it already there (a redelivery). */
export type PutOutcome = "written" | "duplicate";

/**
 * Writes `item` only if no row with its key exists yet, so a redelivered or duplicated event
 * produces exactly one row (SQS and S3 both deliver at least once). The first write wins:
 * a replay never overwrites what an earlier delivery stored.
 */
export async function putOnce(
  ddb: Pick<DynamoDBDocumentClient, "send">,
  tableName: string,
  item: Record<string, unknown>,
  keyAttribute = "id",
): Promise<PutOutcome> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: "attribute_not_exists(#k)",
        ExpressionAttributeNames: { "#k": keyAttribute },
      }),
    );
    return "written";
  } catch (e) {
    // Compared by name: the bundled SDK and a test's SDK may be different class instances.
    if ((e as { name?: string }).name === "ConditionalCheckFailedException") return "duplicate";
    throw e;
  }
}

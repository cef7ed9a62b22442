import { StateFn, autoName, uuid, arn, bucket, bucketConfig } from "../mockStateKit";

/** Mocked state of the DynamoDB, Kinesis, Glue, Athena and S3 resources the program creates. */
export const DATA_STATES: Record<string, StateFn> = {
  "aws:s3/bucket:Bucket": (c) => bucket(c),
  "aws:s3/bucketV2:BucketV2": (c) => bucket(c),
  // Bucket configuration resources: the provider's id is the bucket name.
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (c) => bucketConfig(c),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (c) => bucketConfig(c),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (c) =>
    bucketConfig(c),
  "aws:s3/bucketVersioning:BucketVersioning": (c) => bucketConfig(c),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (c) => bucketConfig(c),
  "aws:s3/bucketPolicy:BucketPolicy": (c) => bucketConfig(c),
  "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": (c) => bucketConfig(c),
  "aws:s3/bucketNotification:BucketNotification": (c) => bucketConfig(c),
  // Queue attribute resources: the provider's id is the queue URL.
  "aws:dynamodb/table:Table": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "dynamodb", `table/${name}`);
    const streamLabel = "2026-01-01T00:00:00.000";
    const stream = c.inputs.streamEnabled === true;
    return {
      id: name,
      state: {
        name,
        arn: a,
        ...(stream ? { streamArn: `${a}/stream/${streamLabel}`, streamLabel } : {}),
      },
    };
  },
  "aws:kinesis/stream:Stream": (c) => {
    const name = autoName(c.name, c.inputs);
    const a = arn(c, "kinesis", `stream/${name}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:kinesis/streamConsumer:StreamConsumer": (c) => {
    const a = `${String(c.inputs.streamArn)}/consumer/${c.inputs.name}:1767225600`;
    return { id: a, state: { arn: a } };
  },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (c) => {
    const name = autoName(c.name, c.inputs, "name", 64);
    const a = arn(c, "firehose", `deliverystream/${name}`);
    return { id: a, state: { name, arn: a } };
  },
  "aws:glue/catalogDatabase:CatalogDatabase": (c) => {
    const name = autoName(c.name, c.inputs).replace(/-/g, "_");
    return {
      id: `${c.accountId}:${name}`,
      state: { name, arn: arn(c, "glue", `database/${name}`), catalogId: c.accountId },
    };
  },
  "aws:glue/catalogTable:CatalogTable": (c) => {
    const name = autoName(c.name, c.inputs).replace(/-/g, "_");
    const db = String(c.inputs.databaseName ?? "db");
    return {
      id: `${c.accountId}:${db}:${name}`,
      state: { name, arn: arn(c, "glue", `table/${db}/${name}`), catalogId: c.accountId },
    };
  },
  "aws:athena/workgroup:Workgroup": (c) => {
    const name = autoName(c.name, c.inputs);
    return { id: name, state: { name, arn: arn(c, "athena", `workgroup/${name}`) } };
  },
  "aws:athena/namedQuery:NamedQuery": (c) => ({ id: uuid(c.name), state: {} }),
  "aws:kinesisanalyticsv2/application:Application": (c) => {
    const name = autoName(c.name, c.inputs);
    return {
      id: arn(c, "kinesisanalytics", `application/${name}`),
      state: { name, arn: arn(c, "kinesisanalytics", `application/${name}`), versionId: 1 },
    };
  },
};

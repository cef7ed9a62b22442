import * as pulumi from "@pulumi/pulumi";
import { Statement, allow } from "../security/iam";

/**
 * Firehose converts records to Parquet only with a buffer of at least 64 MiB (the record format
 * conversion page: the buffer size can be 64 MiB to 128 MiB, default 128, when conversion is on).
 * https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
 */
export const PARQUET_MIN_BUFFER_MB = 64;

/** Where the source JSON goes when `keepRawJson` is on: inside raw/ (same expiry), outside the table's dt= folders. */
export const RAW_JSON_PREFIX = "raw/json/dt=!{timestamp:yyyy-MM-dd}/";

/** Glue table parameters of a Parquet table (Parquet compresses its own pages: Snappy). */
export const PARQUET_TABLE_PARAMETERS: Readonly<Record<string, string>> = {
  classification: "parquet",
  "parquet.compression": "SNAPPY",
};

/** Storage descriptor formats of a Parquet Glue table, read by Athena and written by Firehose. */
export const PARQUET_STORAGE = {
  inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
  compressed: false,
  serDeInfo: {
    name: "parquet",
    serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    parameters: { "serialization.format": "1" },
  },
} as const;

/** The Glue table Firehose takes the Parquet schema from. */
export interface SchemaTable {
  region: pulumi.Input<string>;
  account: pulumi.Input<string>;
  databaseName: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
}

/**
 * What Firehose's role needs to read the schema: the table, its database and the catalog (Glue
 * authorises GetTable on all three).
 * https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
 */
export function schemaReadStatement(t: SchemaTable): Statement {
  const arn = (rest: pulumi.Input<string>) =>
    pulumi.interpolate`arn:aws:glue:${t.region}:${t.account}:${rest}`;
  return allow(
    ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
    [
      arn("catalog"),
      arn(pulumi.interpolate`database/${t.databaseName}`),
      arn(pulumi.interpolate`table/${t.databaseName}/${t.tableName}`),
    ],
  );
}

export interface ParquetDeliveryArgs extends SchemaTable {
  /** Role Firehose reads the schema with (its delivery role). */
  roleArn: pulumi.Input<string>;
  /** Bucket of the raw JSON copy. */
  bucketArn: pulumi.Input<string>;
  kmsKeyArn?: pulumi.Input<string>;
  /** Also write the source JSON, GZIP-compressed, under `RAW_JSON_PREFIX`. */
  keepRawJson: boolean;
  bufferingSizeMb: number;
  bufferingIntervalSeconds: number;
}

/**
 * The part of `extendedS3Configuration` that makes Firehose write Parquet: the OpenX JSON SerDe
 * reads each record (key names matched case-insensitively to the columns), the Parquet SerDe
 * writes Snappy pages, with the schema of the Glue table (its latest version). The object itself
 * stays uncompressed, as conversion requires. The source JSON is kept only when asked, through
 * Firehose's S3 backup of the source records.
 * https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
 */
export function parquetDelivery(a: ParquetDeliveryArgs) {
  return {
    compressionFormat: "UNCOMPRESSED",
    dataFormatConversionConfiguration: {
      enabled: true,
      inputFormatConfiguration: { deserializer: { openXJsonSerDe: { caseInsensitive: true } } },
      outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
      schemaConfiguration: {
        roleArn: a.roleArn,
        region: a.region,
        catalogId: a.account,
        databaseName: a.databaseName,
        tableName: a.tableName,
        versionId: "LATEST",
      },
    },
    s3BackupMode: a.keepRawJson ? "Enabled" : "Disabled",
    s3BackupConfiguration: a.keepRawJson
      ? {
          roleArn: a.roleArn,
          bucketArn: a.bucketArn,
          prefix: RAW_JSON_PREFIX,
          errorOutputPrefix:
            "errors/raw-json/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/",
          compressionFormat: "GZIP",
          kmsKeyArn: a.kmsKeyArn,
          bufferingSize: a.bufferingSizeMb,
          bufferingInterval: a.bufferingIntervalSeconds,
        }
      : undefined,
  };
}

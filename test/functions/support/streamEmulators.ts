/**
 * Test support for the stream functions: in-process kinesalite (dynalite is in ./dynalite), and
 * the conversion of records read from the (emulated) stream into the event Lambda hands a Kinesis
 * consumer.
 */
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { CREDENTIALS, EmulatorServer, REGION, closeServer, listen } from "./dynalite";

const kinesalite = require("kinesalite") as (opts: object) => EmulatorServer;

/** A record as a producer sends it: data as an object (JSON) or raw text (to make poison). */
export interface Produced {
  data: object | string;
  partitionKey: string;
}

export interface Kinesis {
  client: KinesisClient;
  streamArn(name: string): string;
  createStream(name: string, shards: number): Promise<void>;
  /** PutRecords (data JSON-encoded unless already a string); returns the sequence numbers. */
  put(stream: string, records: Produced[]): Promise<string[]>;
  /**
   * Reads every record of every shard from TRIM_HORIZON and returns one Lambda event per shard,
   * records in stream order, shaped exactly as Lambda delivers them.
   */
  readEvents(stream: string): Promise<KinesisStreamEvent[]>;
  close(): Promise<void>;
}

export async function startKinesalite(): Promise<Kinesis> {
  const server = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 20,
  });
  const endpoint = await listen(server);
  const client = new KinesisClient({
    endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
  });
  const streamArn = (name: string) => `arn:aws:kinesis:${REGION}:000000000000:stream/${name}`;
  return {
    client,
    streamArn,
    createStream: async (name, shards) => {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      for (let i = 0; i < 50; i++) {
        const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
        if (d.StreamDescription?.StreamStatus === "ACTIVE") return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`stream ${name} did not become ACTIVE`);
    },
    put: async (stream, records) => {
      const out = await client.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: records.map((r) => ({
            PartitionKey: r.partitionKey,
            Data: Buffer.from(typeof r.data === "string" ? r.data : JSON.stringify(r.data)),
          })),
        }),
      );
      if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
      return (out.Records ?? []).map((r) => r.SequenceNumber!);
    },
    readEvents: async (stream) => {
      const shards =
        (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
      const events: KinesisStreamEvent[] = [];
      for (const shard of shards) {
        let iterator = (
          await client.send(
            new GetShardIteratorCommand({
              StreamName: stream,
              ShardId: shard.ShardId,
              ShardIteratorType: "TRIM_HORIZON",
            }),
          )
        ).ShardIterator;
        const records: KinesisStreamRecord[] = [];
        while (iterator) {
          const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
          for (const r of page.Records ?? []) {
            records.push({
              kinesis: {
                kinesisSchemaVersion: "1.0",
                partitionKey: r.PartitionKey!,
                sequenceNumber: r.SequenceNumber!,
                data: Buffer.from(r.Data!).toString("base64"),
                approximateArrivalTimestamp: r.ApproximateArrivalTimestamp!.getTime() / 1000,
              },
              eventSource: "aws:kinesis",
              eventVersion: "1.0",
              eventID: `${shard.ShardId}:${r.SequenceNumber}`,
              eventName: "aws:kinesis:record",
              invokeIdentityArn: "arn:aws:iam::000000000000:role/processor",
              awsRegion: REGION,
              eventSourceARN: streamArn(stream),
            });
          }
          // An empty page means the iterator reached the tip of the shard.
          if ((page.Records ?? []).length === 0) break;
          iterator = page.NextShardIterator;
        }
        if (records.length) events.push({ Records: records });
      }
      return events;
    },
    close: async () => {
      client.destroy();
      await closeServer(server);
    },
  };
}

let nextSequence = 49_000_000_000n;

/** A Lambda Kinesis record built directly (for pure tests that need no emulator). */
export function kinesisRecord(
  data: object | string,
  options: {
    partitionKey?: string;
    sequenceNumber?: string;
    shardId?: string;
    arrivedAt?: number;
  } = {},
): KinesisStreamRecord {
  const shardId = options.shardId ?? "shardId-000000000000";
  const sequenceNumber = options.sequenceNumber ?? String(nextSequence++).padEnd(56, "0");
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: options.partitionKey ?? "pk",
      sequenceNumber,
      data: Buffer.from(typeof data === "string" ? data : JSON.stringify(data)).toString("base64"),
      approximateArrivalTimestamp: (options.arrivedAt ?? Date.UTC(2026, 2, 1, 12)) / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:aws:iam::000000000000:role/consumer",
    awsRegion: REGION,
    eventSourceARN: `arn:aws:kinesis:${REGION}:000000000000:stream/events`,
  };
}

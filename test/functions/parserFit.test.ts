/**
 * Why the handlers decode their envelopes themselves instead of with Powertools Parser: for each
 * trigger, a real event (AWS's own sample, or one with a value AWS sends) that Parser's schema
 * refuses or alters, next to the handler's own decoding that keeps it. These run Parser itself,
 * so when Powertools relaxes a schema the test fails and the reason in the code is to be revisited.
 * The bundle sizes the reasons also cite are measured in the comments at each decoder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DynamoDBStreamSchema } from "@aws-lambda-powertools/parser/schemas/dynamodb";
import { KinesisDataStreamRecord } from "@aws-lambda-powertools/parser/schemas/kinesis";
import { KinesisFirehoseSchema } from "@aws-lambda-powertools/parser/schemas/kinesis-firehose";
import { S3Schema } from "@aws-lambda-powertools/parser/schemas/s3";
import type { DynamoDBRecord, FirehoseTransformationEvent, KinesisStreamRecord } from "aws-lambda";
import { expect } from "chai";
import { handler as archiveTransform } from "../../functions/archive-transform/handler";
import { parseS3Notification } from "../../functions/lib/s3Events";
import { decodeKinesisRecord } from "../../functions/lib/streamEvents";
import { imageOf } from "../../functions/stream-notifier/notify";
import { kinesisRecord } from "./support/streamEmulators";

const FIXTURES = path.join(__dirname, "..", "fixtures", "aws-events");
const load = <T>(file: string): T =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as T;

describe("Powertools Parser against the events the handlers must take (issue 16)", () => {
  it("Firehose: Parser refuses the SAM CLI's sample (subsequenceNumber as text), which the archive keeps", async () => {
    const sam = load<FirehoseTransformationEvent>(
      "sam/kinesis/KinesisFirehoseStreamsAsSource.json",
    );
    const parsed = KinesisFirehoseSchema.safeParse(sam);
    expect(parsed.success).to.equal(false);
    const paths = parsed.error!.issues.map((i) => i.path.join("."));
    expect(paths).to.include("records.0.kinesisRecordMetadata.subsequenceNumber");
    // A refused envelope would fail the whole batch; the archive returns every record Ok instead.
    const out = await archiveTransform(sam);
    expect(out.records.map((r) => r.result)).to.deep.equal(sam.records.map(() => "Ok"));
  });

  it("S3: Parser refuses a notification from a client on S3's IPv6 (dual-stack) endpoint, which ours reads", () => {
    const sample = load<{ Records: { requestParameters: { sourceIPAddress: string } }[] }>(
      "powertools/s3/base.json",
    );
    expect(S3Schema.safeParse(sample).success).to.equal(true);
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html:
    // sourceIPAddress is "the IP address where the request came from"; dual-stack endpoints take
    // requests over IPv6 (https://docs.aws.amazon.com/AmazonS3/latest/API/ipv6-access.html).
    const ipv6 = structuredClone(sample);
    ipv6.Records[0].requestParameters.sourceIPAddress = "2001:db8:85a3::8a2e:370:7334";
    const parsed = S3Schema.safeParse(ipv6);
    expect(parsed.success).to.equal(false);
    expect(parsed.error!.issues[0].path.join(".")).to.equal(
      "Records.0.requestParameters.sourceIPAddress",
    );
    const ours = parseS3Notification(ipv6);
    expect(ours.kind === "records" && ours.records.length).to.equal(1);
  });

  it("DynamoDB Streams: Parser refuses an image holding a number DynamoDB stores (1E+100, 38 digits), which ours keeps exact", () => {
    const sample = load<{ Records: DynamoDBRecord[] }>("powertools/dynamodb/base.json");
    expect(DynamoDBStreamSchema.safeParse(sample).success).to.equal(true);
    const record = structuredClone(sample.Records[0]);
    const exact = "12345678901234567890.123456789012345678";
    record.dynamodb!.NewImage = { id: { S: "e-1" }, big: { N: "1E+100" }, precise: { N: exact } };
    const parsed = DynamoDBStreamSchema.safeParse({ Records: [record] });
    expect(parsed.success).to.equal(false);
    const image = imageOf(record) as Record<string, { value: string }>;
    expect(image.big.value).to.equal("1E+100");
    expect(image.precise.value).to.equal(exact);
  });

  it("Kinesis: Parser hands over JSON.parse's value (big numbers rounded), where the pipeline keeps the text as sent", () => {
    const text = '{"eventId":"e-1","value":1,"ref":12345678901234567890123}';
    const record = kinesisRecord(text) as KinesisStreamRecord;
    const parsed = KinesisDataStreamRecord.safeParse({
      ...record,
      invokeIdentityArn: "arn:aws:iam::123456789012:role/r",
      awsRegion: "us-east-1",
      eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
    });
    expect(parsed.success).to.equal(true);
    const data = (parsed.data as { kinesis: { data: { ref: number } } }).kinesis.data;
    expect(String(data.ref)).to.equal("1.2345678901234568e+22");
    const ours = decodeKinesisRecord(record);
    expect(ours.ok && ours.event.payloadJson).to.equal(text);
  });
});

/**
 * Pure part of the stream processor: decode a batch, split off poison records, drop in-batch
 * duplicates, and build the DynamoDB items. No AWS calls.
 */
import type { KinesisStreamRecord } from "aws-lambda";
import { NumberValue } from "@aws-sdk/lib-dynamodb";
import { type RecordPosition, type StreamEvent, decodeKinesisRecord } from "../lib/streamEvents";

/** A record worth writing: the first occurrence of its event id in the batch. */
export interface Candidate {
  event: StreamEvent;
  position: RecordPosition;
  /** Index in the batch, to report failures in stream order. */
  index: number;
}

export interface BatchPlan {
  candidates: Candidate[];
  /** Records whose data can never become an event. */
  poison: { position: RecordPosition; index: number; error: string }[];
  /** Later records repeating an event id seen earlier in the same batch. */
  inBatchDuplicates: number;
}

/** Decodes the batch and keeps the first occurrence of each event id (stream order). */
export function planBatch(records: KinesisStreamRecord[]): BatchPlan {
  const seen = new Set<string>();
  const plan: BatchPlan = { candidates: [], poison: [], inBatchDuplicates: 0 };
  records.forEach((record, index) => {
    const decoded = decodeKinesisRecord(record);
    if (!decoded.ok) {
      plan.poison.push({ position: decoded.position, index, error: decoded.error });
    } else if (seen.has(decoded.event.eventId)) {
      plan.inBatchDuplicates++;
    } else {
      seen.add(decoded.event.eventId);
      plan.candidates.push({ event: decoded.event, position: decoded.position, index });
    }
  });
  return plan;
}

/** Identifies one delivery of a record: a retry of the same record may take over its own claim. */
export function claimToken(position: RecordPosition): string {
  return `${position.shardId}:${position.sequenceNumber}`;
}

/**
 * The dedupe marker: which delivery claimed the event and until when. The row in the data table,
 * not the marker, says the event is done (see process.ts).
 */
export function markerItem(
  c: Candidate,
  nowMs: number,
  leaseUntilMs: number,
  ttlSeconds: number,
): Record<string, unknown> {
  return {
    eventId: c.event.eventId,
    claimedBy: claimToken(c.position),
    leaseUntil: leaseUntilMs,
    updatedAt: new Date(nowMs).toISOString(),
    // Epoch seconds: DynamoDB TTL deletes the marker (lazily) after the dedupe window.
    expiresAt: Math.floor(nowMs / 1000) + ttlSeconds,
  };
}

/**
 * The processed row: one per event id. Every attribute derives from the record itself (not from
 * the attempt), except `processedAt`, so a rewrite after a crash changes nothing a reader relies on.
 */
export function dataItem(c: Candidate, nowMs: number): Record<string, unknown> {
  const { event, position } = c;
  return {
    eventId: event.eventId,
    idSource: event.idSource,
    type: event.type,
    severity: event.severity,
    occurredAt: event.occurredAt,
    ...(event.key !== undefined ? { key: event.key } : {}),
    // Number text: a value beyond 2^53 is stored as the decimal the client sent, not refused.
    ...(event.value !== undefined ? { value: NumberValue.from(String(event.value)) } : {}),
    // The data's JSON text as sent: every number exact, every key (even `__proto__`) kept.
    payload: event.payloadJson,
    partitionKey: position.partitionKey,
    shardId: position.shardId,
    sequenceNumber: position.sequenceNumber,
    arrivedAt: position.arrivedAt,
    processedAt: new Date(nowMs).toISOString(),
  };
}

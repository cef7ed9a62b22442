/**
 * Reading the CloudWatch embedded metric format (EMF) lines Powertools Metrics writes to stdout,
 * as the awslogs driver would ship them: one JSON object per line with an `_aws` directive.
 */
import { expect } from "chai";
import type { BusinessMetric } from "../../../functions/lib/businessMetrics";

export interface EmfLine extends Record<string, unknown> {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
}

/**
 * Captures the JSON lines written to stdout until `stop()` (which restores it); `emf()` is every
 * EMF line so far. Powertools' own Console writes through `process.stdout.write`, so patching it
 * sees every line; other output (the test reporter's) still reaches the terminal.
 */
export function captureStdout(): { emf: () => EmfLine[]; stop: () => void } {
  const chunks: string[] = [];
  const saved = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = String(chunk);
    if (text.startsWith("{")) {
      chunks.push(text);
      return true;
    }
    return saved.call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  return {
    emf: () => emfLines(chunks.join("")),
    stop: () => void (process.stdout.write = saved),
  };
}

/** The EMF lines of `text` (other lines ignored). */
export function emfLines(text: string): EmfLine[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l): l is EmfLine => "_aws" in l);
}

/**
 * The figures of one EMF line, after checking its directive: namespace, the `service` dimension
 * and a value for every metric it declares.
 */
export function figuresOf(
  line: EmfLine,
  namespace: string,
  service: string,
): Partial<Record<BusinessMetric, number>> {
  const [directive] = line._aws.CloudWatchMetrics;
  expect(directive.Namespace).to.equal(namespace);
  expect(directive.Dimensions).to.deep.equal([["service"]]);
  expect(line.service).to.equal(service);
  return Object.fromEntries(directive.Metrics.map((m) => [m.Name, line[m.Name] as number]));
}

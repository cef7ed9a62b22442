/**
 * The autoscaling simulator: `npm run bench:autoscale [-- --trace a.csv --trace b.csv] [--json]`.
 * Runs our policy (the Lambda's own code), the AWS sample, fixed-at-peak, on-demand and the
 * perfect-foresight lower bound over 7-day traces and prints the score (cost + $1 per GiB
 * throttled), throttling, cost, calls, time to adequate capacity and ours / bound.
 */
import {
  BOUND_RATIO_TARGET,
  onlineMisses,
  onlineRatio,
  ratioShortfalls,
  renderTable,
  runAll,
  targetMisses,
  toReport,
} from "./autoscale/report";
import { ON_DEMAND, PRICES } from "./autoscale/simulate";
import { firstBurstFloor } from "./autoscale/online";
import { DEFAULT_MODEL } from "./autoscale/stream";
import { Trace, builtInTraces, readCsvTrace } from "./autoscale/traces";

interface Args {
  traces: string[];
  json: boolean;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { traces: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    if (flag === "--json") args.json = true;
    else if (flag === "--trace") {
      const file = inline ?? argv[++i];
      if (!file) throw new Error("--trace needs a file (columns minute,bytes,records)");
      args.traces.push(file);
    } else throw new Error(`unexpected argument "${argv[i]}" (use --trace <file.csv> and --json)`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const traces: Trace[] = args.traces.length ? args.traces.map(readCsvTrace) : builtInTraces();
  const detailed = await runAll(traces);
  if (args.json) {
    process.stdout.write(JSON.stringify(toReport(detailed), null, 2) + "\n");
    return;
  }
  const model = DEFAULT_MODEL;
  console.log(
    `Model: metrics published ${model.metricDelayMinutes} min after each minute; UPDATING for ` +
      `${model.reshardBaseMinutes} min (+${model.reshardMinutesPer100Shards} per 100 shards changed); ` +
      `producers do not retry throttled records.\nPrices (us-east-1): $${PRICES.shardHour}/shard-hour + ` +
      `$${PRICES.putUnitsPerMillion}/M PUT units; on-demand $${PRICES.onDemandStreamHour}/stream-hour + ` +
      `$${PRICES.onDemandPerGb}/GB (records rounded up to 1 KB), ${ON_DEMAND.minShardEquivalents} MiB/s minimum, ` +
      `2x previous peak after ${ON_DEMAND.adaptationMinutes} min.\n`,
  );
  for (const { trace } of detailed) console.log(`  ${trace.name}: ${trace.description}`);
  console.log("\n" + renderTable(detailed));
  if (args.traces.length === 0) {
    const misses = targetMisses(detailed);
    console.log(
      misses.length === 0
        ? "\nAll targets met."
        : `\nTargets missed:\n${misses.map((m) => `  - ${m}`).join("\n")}`,
    );
    const short = ratioShortfalls(detailed);
    console.log(
      short.length === 0
        ? `Ours is within ${BOUND_RATIO_TARGET}x the lower bound on every trace.`
        : `Above ${BOUND_RATIO_TARGET}x the lower bound:\n${short.map((m) => `  - ${m}`).join("\n")}`,
    );
    console.log("\nFirst-burst floor (throttling no online policy avoids, online.ts):");
    for (const { trace, runs } of detailed) {
      const f = firstBurstFloor(trace);
      if (f.onset === null) continue;
      console.log(
        `  ${trace.name}: onset ${f.onset}, from ${f.startShards} shards, $${f.scoreUsd.toFixed(2)}; ` +
          `ours / (bound + floor) ${onlineRatio(trace, runs).toFixed(2)}`,
      );
    }
    const online = onlineMisses(detailed);
    console.log(
      online.length === 0
        ? "The online conditions (best peer + floor, 1.5x (bound + floor)) hold on every trace."
        : `Online conditions missed:\n${online.map((m) => `  - ${m}`).join("\n")}`,
    );
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

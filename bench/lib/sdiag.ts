import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * RPCs slurmctld counts that are not a client's doing: slurmd registrations and pings, job
 * completion messages, and sdiag's own request (which is how we read the counters at all).
 */
const NOT_CLIENT = new Set([
  "REQUEST_STATS_INFO",
  "MESSAGE_NODE_REGISTRATION_STATUS",
  "REQUEST_PING",
  "MESSAGE_EPILOG_COMPLETE",
  "REQUEST_COMPLETE_BATCH_SCRIPT",
  "REQUEST_STEP_COMPLETE",
  "REQUEST_COMPLETE_PROLOG",
  "REQUEST_NODE_REGISTRATION_STATUS",
  "REQUEST_PERSIST_INIT"
]);

/** RPC counts by message type from `sdiag` (cumulative since its last reset). */
export async function rpcCounts(): Promise<Map<string, number>> {
  const { stdout } = await run("sdiag", [], { maxBuffer: 4 * 1024 * 1024 });
  const out = new Map<string, number>();
  const section =
    stdout
      .split("Remote Procedure Call statistics by message type")[1]
      ?.split("Remote Procedure Call statistics by user")[0] ?? "";
  for (const line of section.split("\n")) {
    const m = /^\s*([A-Z_]+)\s+\(\s*\d+\)\s+count:(\d+)/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Client RPCs between two readings, by type (types that did not move are left out). */
export function clientDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of after) {
    if (NOT_CLIENT.has(k)) continue;
    const diff = v - (before.get(k) ?? 0);
    if (diff > 0) d.set(k, diff);
  }
  return d;
}

export function total(delta: Map<string, number>): number {
  let s = 0;
  for (const v of delta.values()) s += v;
  return s;
}

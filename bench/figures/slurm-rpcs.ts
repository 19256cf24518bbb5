import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient, StatusPoller } from "@neoxctl/slurm";
import { DEFAULT_NODE_STATE_MAX_AGE_MS, SlurmAdapter } from "@neoxctl/supervisor";
import { cancelHeld, submitHeld } from "../lib/held-jobs.ts";
import type { BenchOptions, FigureResult, Measurement } from "../lib/result.ts";
import { checkTarget } from "../lib/result.ts";
import { clientDelta, rpcCounts, total } from "../lib/sdiag.ts";
import { summarize } from "../lib/stats.ts";

const run = promisify(execFile);

/** Client RPCs slurmctld counted while `cycle` ran (sdiag before and after; sdiag's own RPC excluded). */
async function rpcsOf(cycle: () => Promise<void>): Promise<{ rpcs: number; byType: Map<string, number> }> {
  const before = await rpcCounts();
  await cycle();
  const after = await rpcCounts();
  const byType = clientDelta(before, after);
  return { rpcs: total(byType), byType };
}

/** What a script without neoxctl does: one `squeue -j` per tracked job, every cycle. */
async function naiveCycle(ids: readonly string[]): Promise<void> {
  for (const id of ids) await run("squeue", ["-h", "-j", id, "-o", "%T"]);
}

/** The CLI's default `--poll-interval-ms`: how far the supervisor's clock moves between two cycles. */
const SUPERVISOR_INTERVAL_MS = 5000;

/**
 * What the supervisor asks Slurm per cycle, per cluster: the adapter's poll (the StatusPoller's one
 * squeue) and the DOWN/DRAIN list (sinfo, cached between cycles). The adapter's clock is moved one
 * poll interval per cycle, so its node-state cache expires as it would in a running supervisor
 * without the benchmark having to wait real seconds.
 */
async function supervisorCycles(
  client: SlurmClient,
  tracked: readonly string[],
  cycles: number
): Promise<number[]> {
  let clock = 0;
  const adapter = new SlurmAdapter(client, { now: () => clock });
  const out: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const r = await rpcsOf(async () => {
      const seen = await adapter.poll(tracked);
      if (seen.size !== tracked.length) throw new Error(`adapter saw ${seen.size} of ${tracked.length} jobs`);
      await adapter.downNodes([]);
    });
    out.push(r.rpcs);
    clock += SUPERVISOR_INTERVAL_MS;
  }
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function runSlurmRpcs(opts: BenchOptions): Promise<FigureResult> {
  const started = Date.now();
  const sizes = opts.quick ? [1, 10, 100] : [1, 10, 100, 1000];
  const cycles = opts.quick ? 3 : 5;
  const client = new SlurmClient(new LocalExecutor());
  const poller = new StatusPoller(client);
  // enough cycles for the node-state cache to expire twice at the default interval and age
  const supCycles = opts.quick ? 7 : 13;
  const measurements: Measurement[] = [];
  const notes: string[] = [];
  const types = new Set<string>();
  await cancelHeld();
  try {
    const ids: string[] = [];
    for (const size of sizes) {
      opts.log(`rpcs: ${size} held jobs`);
      ids.push(...(await submitHeld(size - ids.length)));
      const tracked = ids.slice(0, size);
      const ours: number[] = [];
      for (let i = 0; i < cycles; i++) {
        const r = await rpcsOf(async () => {
          const p = await poller.poll(tracked);
          if (p.statuses.size !== tracked.length)
            throw new Error(`poller saw ${p.statuses.size} of ${tracked.length} jobs`);
        });
        ours.push(r.rpcs);
        for (const t of r.byType.keys()) types.add(t);
      }
      // one naive cycle is one squeue process per job (seconds at 100, most of a minute at 1,000)
      const naiveCycles =
        size >= 1000 || (opts.quick && size >= 100) ? Math.min(2, cycles) - (opts.quick ? 1 : 0) : cycles;
      const naive: number[] = [];
      for (let i = 0; i < naiveCycles; i++) naive.push((await rpcsOf(() => naiveCycle(tracked))).rpcs);
      const sup = await supervisorCycles(client, tracked, supCycles);
      const s = summarize(ours);
      const a = summarize(naive);
      notes.push(`${size} jobs: supervisor cycle RPCs ${JSON.stringify(sup)} (mean ${mean(sup).toFixed(2)})`);
      measurements.push(
        checkTarget({
          metric: "slurm_rpcs_per_cycle",
          case: `${size} jobs, supervisor cycle`,
          unit: "RPCs",
          summary: summarize(sup),
          anchor: { label: "naive squeue -j per job", summary: a },
          ratio: summarize(sup).p50 / a.p50,
          target: { op: "<=", value: 2, on: "p50" }
        }),
        checkTarget({
          metric: "slurm_rpcs_per_cycle",
          case: `${size} jobs, status poll`,
          unit: "RPCs",
          summary: s,
          anchor: { label: "naive squeue -j per job", summary: a },
          ratio: s.p50 / a.p50,
          target: { op: "<=", value: 2, on: "p50" }
        })
      );
    }
  } finally {
    await cancelHeld();
  }
  notes.unshift(
    `status poll = @neoxctl/slurm StatusPoller.poll (one squeue --json per cycle); RPC types seen: ${[...types].sort().join(", ") || "none"}`,
    `supervisor cycle = what Supervisor.cycle() asks one cluster: SlurmAdapter.poll (the status poll) + downNodes (sinfo, REQUEST_NODE_INFO + REQUEST_PARTITION_INFO, cached for ${DEFAULT_NODE_STATE_MAX_AGE_MS / 1000} s) with the adapter's clock moved ${SUPERVISOR_INTERVAL_MS / 1000} s (the CLI's default --poll-interval-ms) per cycle; the cycles that refresh node states cost 3, the others 1, so p95 shows the refresh and the mean is in the notes below`
  );
  notes.push(
    "counts are sdiag deltas of client RPCs (slurmd registrations/pings, job-completion messages and sdiag itself excluded); the cluster is shared, so the median over cycles is reported to shed stray RPCs from other users"
  );
  return {
    name: "rpcs",
    title: "Slurm RPCs per polling cycle",
    scope:
      "all tracked jobs held in the queue (sbatch --hold); one cycle of each poller between two sdiag readings: the supervisor's whole per-cluster Slurm cycle, the status poll alone, and a naive per-job poller",
    measurements,
    notes,
    durationMs: Date.now() - started
  };
}

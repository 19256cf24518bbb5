import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient, StatusPoller } from "@neoxctl/slurm";
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

export async function runSlurmRpcs(opts: BenchOptions): Promise<FigureResult> {
  const started = Date.now();
  const sizes = opts.quick ? [1, 10, 100] : [1, 10, 100, 1000];
  const cycles = opts.quick ? 3 : 5;
  const poller = new StatusPoller(new SlurmClient(new LocalExecutor()));
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
          if (p.statuses.size !== tracked.length) throw new Error(`poller saw ${p.statuses.size} of ${tracked.length} jobs`);
        });
        ours.push(r.rpcs);
        for (const t of r.byType.keys()) types.add(t);
      }
      // one naive cycle is one squeue process per job (seconds at 100, most of a minute at 1,000)
      const naiveCycles = size >= 1000 || (opts.quick && size >= 100) ? Math.min(2, cycles) - (opts.quick ? 1 : 0) : cycles;
      const naive: number[] = [];
      for (let i = 0; i < naiveCycles; i++) naive.push((await rpcsOf(() => naiveCycle(tracked))).rpcs);
      const s = summarize(ours);
      const a = summarize(naive);
      measurements.push(
        checkTarget({
          metric: "slurm_rpcs_per_cycle",
          case: `${size} jobs`,
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
  notes.push(`neoxctl = @neoxctl/slurm StatusPoller.poll (one squeue --json per cycle); RPC types seen: ${[...types].sort().join(", ") || "none"}`);
  notes.push("counts are sdiag deltas of client RPCs (slurmd registrations/pings, job-completion messages and sdiag itself excluded); the cluster is shared, so the median over cycles is reported to shed stray RPCs from other users");
  return {
    name: "rpcs",
    title: "Slurm RPCs per polling cycle",
    scope: "all tracked jobs held in the queue (sbatch --hold); one polling cycle of each poller between two sdiag readings",
    measurements,
    notes,
    durationMs: Date.now() - started
  };
}

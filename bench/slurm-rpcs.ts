/**
 * slurmctld RPCs per poll cycle: the neoxctl StatusPoller (one `squeue --json` per cycle) against
 * a naive poller (one `squeue -j <id>` per tracked job), for 1, 10 and 100 tracked held jobs.
 * Counts are sdiag deltas of client RPC types (bench/lib/sdiag.ts). Not a test: no thresholds.
 *   npx tsx bench/slurm-rpcs.ts [--cycles N]
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient, StatusPoller } from "@neoxctl/slurm";
import { cancelHeld, submitHeld } from "./lib/held-jobs.ts";
import { clientDelta, rpcCounts, total } from "./lib/sdiag.ts";

const run = promisify(execFile);
const OUT = join(resolve(dirname(fileURLToPath(import.meta.url))), "results", "slurm-rpcs.json");
const SIZES = [1, 10, 100];
const cyclesArg = process.argv.indexOf("--cycles");
const CYCLES = cyclesArg > 0 ? Number(process.argv[cyclesArg + 1]) : 5;

async function measure(cycle: () => Promise<void>): Promise<Map<string, number>> {
  const before = await rpcCounts();
  await cycle();
  return clientDelta(before, await rpcCounts());
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

interface Row {
  trackedJobs: number;
  neoxctl: {
    perCycle: number[];
    median: number;
    min: number;
    byType: Record<string, number>;
    commands: string[];
  };
  naive: { perCycle: number[]; median: number; min: number; byType: Record<string, number> };
}

async function main(): Promise<void> {
  const version = (await run("sinfo", ["-V"])).stdout.trim();
  const poller = new StatusPoller(new SlurmClient(new LocalExecutor()));
  const rows: Row[] = [];
  await cancelHeld();
  try {
    const ids: string[] = [];
    for (const size of SIZES) {
      ids.push(...(await submitHeld(size - ids.length)));
      const tracked = ids.slice(0, size);
      const ours: number[] = [];
      const oursTypes = new Map<string, number>();
      let commands: string[] = [];
      for (let i = 0; i < CYCLES; i++) {
        const d = await measure(async () => {
          const r = await poller.poll(tracked);
          if (r.statuses.size !== size) throw new Error(`poller saw ${r.statuses.size} of ${size} jobs`);
          commands = r.commands;
        });
        ours.push(total(d));
        for (const [k, v] of d) oursTypes.set(k, (oursTypes.get(k) ?? 0) + v);
      }
      const naive: number[] = [];
      const naiveTypes = new Map<string, number>();
      for (let i = 0; i < Math.min(CYCLES, 3); i++) {
        const d = await measure(async () => {
          for (const id of tracked) await run("squeue", ["-h", "-j", id, "-o", "%T"]);
        });
        naive.push(total(d));
        for (const [k, v] of d) naiveTypes.set(k, (naiveTypes.get(k) ?? 0) + v);
      }
      rows.push({
        trackedJobs: size,
        neoxctl: {
          perCycle: ours,
          median: median(ours),
          min: Math.min(...ours),
          byType: Object.fromEntries(oursTypes),
          commands
        },
        naive: {
          perCycle: naive,
          median: median(naive),
          min: Math.min(...naive),
          byType: Object.fromEntries(naiveTypes)
        }
      });
      process.stderr.write(`  ${size} jobs done\n`);
    }
  } finally {
    await cancelHeld();
  }

  // other users' RPCs only ever add to a delta, so the minimum is the closest to our own cost
  const head = [
    "tracked jobs",
    "neoxctl RPCs/cycle min / median",
    "naive min / median",
    "neoxctl commands/cycle"
  ];
  const body = rows.map((r) => [
    String(r.trackedJobs),
    `${r.neoxctl.min} / ${r.neoxctl.median}`,
    `${r.naive.min} / ${r.naive.median}`,
    r.neoxctl.commands.join(" + ")
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  process.stdout.write(
    [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n") + "\n"
  );

  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(
    OUT,
    JSON.stringify(
      {
        benchmark: "slurm-rpcs",
        date: new Date().toISOString(),
        slurm: version,
        cyclesPerSize: CYCLES,
        method:
          "sdiag RPC counters read before and after each poll cycle; slurmd registrations/pings, job-completion messages and sdiag's own request excluded; tracked jobs are held (sbatch --hold); the cluster may be shared, so medians are reported",
        rows
      },
      null,
      2
    ) + "\n"
  );
  process.stdout.write(`wrote ${OUT}\n`);
}

await main();

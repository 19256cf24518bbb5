import { spawn } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lossAt, neoxIterationLines } from "../lib/neox-lines.ts";
import type { BenchOptions, FigureResult, Measurement } from "../lib/result.ts";
import { summarize } from "../lib/stats.ts";

/** The EMMA-500 reference line: 24.6 s per iteration at log_interval 1, sped up 100×. */
const NEOX_STEP_MS = 24_600;
const SPEEDUP = 100;
const LINE_PERIOD_MS = NEOX_STEP_MS / SPEEDUP;
/** the supervisor's log poll interval this figure follows at (MultiFollower intervalMs) */
const FOLLOW_INTERVAL_MS = 1000;

interface ChildReport {
  files: number;
  cpuPct: number[];
  rssMb: number[];
  linesPerS: number;
  alarms: number;
}

/** Grows `count` logs at the NeoX line rate while a separate follower process watches them. */
async function trial(opts: BenchOptions, count: number, seconds: number): Promise<ChildReport> {
  const dir = await mkdtemp(join(tmpdir(), `neoxctl-bench-follow-${count}-`));
  const fds = Array.from({ length: count }, (_, i) =>
    openSync(join(dir, `run-${String(i).padStart(4, "0")}.out`), "a")
  );
  let step = 0;
  const write = (): void => {
    step++;
    const text = neoxIterationLines(step, 1_000_000, lossAt(step), 1e-4, NEOX_STEP_MS);
    for (const fd of fds) writeSync(fd, text);
  };
  write();
  const timer = setInterval(write, LINE_PERIOD_MS);
  try {
    const childPath = join(dirname(fileURLToPath(import.meta.url)), "follow-child.ts");
    const warmupMs = 3 * FOLLOW_INTERVAL_MS;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", childPath, dir, String(FOLLOW_INTERVAL_MS), String(warmupMs), String(seconds)],
      {
        cwd: opts.repoRoot,
        stdio: ["ignore", "pipe", "inherit"]
      }
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    if (code !== 0) throw new Error(`follower exited ${code}`);
    return JSON.parse(out.trim().split("\n").pop()!) as ChildReport;
  } finally {
    clearInterval(timer);
    for (const fd of fds) closeSync(fd);
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runFollowRuns(opts: BenchOptions): Promise<FigureResult> {
  const started = Date.now();
  const seconds = opts.quick ? 2 : 15;
  const measurements: Measurement[] = [];
  const notes: string[] = [];
  for (const count of [10, 100, 1000]) {
    opts.log(`follow: ${count} growing logs for ${seconds} s`);
    const r = await trial(opts, count, seconds);
    if (r.files !== count) throw new Error(`follower watched ${r.files} files, expected ${count}`);
    measurements.push({
      metric: "follow_runs_cpu_pct",
      case: `${count} runs`,
      unit: "% of a core",
      summary: summarize(r.cpuPct)
    });
    measurements.push({
      metric: "follow_runs_rss_mb",
      case: `${count} runs`,
      unit: "MB",
      summary: summarize(r.rssMb)
    });
    notes.push(
      `${count} runs: ${r.linesPerS.toFixed(0)} lines/s followed (expected ${((2 * count * 1000) / LINE_PERIOD_MS).toFixed(0)}), ${r.alarms} alarms`
    );
  }
  return {
    name: "follow",
    title: "One process following many growing run logs",
    scope: `one follower process (MultiFollower over LocalExecutor, ${FOLLOW_INTERVAL_MS} ms poll interval, each line parsed and fed to a per-run RobustSpikeDetector); every log grows by one NeoX iteration (training + timers line) every ${LINE_PERIOD_MS} ms = ${NEOX_STEP_MS / 1000} s/iteration sped up ${SPEEDUP}×; samples are 1-second windows after a ${3 * FOLLOW_INTERVAL_MS} ms warm-up`,
    measurements,
    notes,
    durationMs: Date.now() - started
  };
}

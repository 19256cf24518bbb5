/**
 * Queue gaps and lost steps at planned endings: the same run (1-minute jobs, emulator at a fixed
 * step time, no faults) once with pre-queued continuations and once with the submit-after-end
 * baseline (chain_continuations: false, the supervisor sbatches after it sees the job end). Both are
 * measured from Slurm's own SubmitTime/StartTime/EndTime (sacct) and the attempts' logs.
 * Run: `npx tsx bench/queue-gaps.ts [--quick]`. Writes bench/results/queue-gaps.json.
 * The local cluster is idle, so the gap measures the orchestration delay, not a busy machine's queue.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { removeScenario } from "../test/supervisor/scenario.ts";
import { testRedis } from "../test/supervisor/redis-helpers.ts";
import { runChainScenario } from "../test/chain/chained-run.ts";
import type { Handover } from "../test/chain/chained-run.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface QueueGapsOptions {
  quick?: boolean;
  /** where to write the JSON (default bench/results/queue-gaps.json; null: do not write) */
  out?: string | null;
}

export interface ModeResult {
  mode: "chained" | "submit_after_end";
  state: string;
  plannedEndings: number;
  queuedBeforeEnd: number;
  gapS: { values: number[]; mean: number | null; max: number | null };
  stepsLostPerEnding: { values: number[]; max: number | null };
  jobs: number;
  handovers: Handover[];
  /** how each attempt ended (event types), so a run without planned endings explains itself */
  endings: string[];
}

export interface QueueGapsResult {
  figure: "queue-gaps";
  unit: "seconds (Slurm timestamps, 1 s resolution)";
  config: { trainIters: number; stepMs: number; timeLimit: string; exitMarginMin: number };
  modes: ModeResult[];
  measuredAt: string;
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const max = (xs: number[]): number | null => (xs.length ? Math.max(...xs) : null);

async function measure(mode: ModeResult["mode"], trainIters: number, stepMs: number): Promise<ModeResult> {
  const t = await testRedis(`bench-gaps-${mode}`);
  const out = await runChainScenario(t.redis, t.prefix, {
    name: `gaps-${mode.replace(/_/g, "-")}`,
    trainIters,
    stepMs,
    chain: mode === "chained"
  });
  await t.cleanup();
  removeScenario(out.inputs);
  const gaps = out.handovers.map((h) => h.gapS);
  const lost = out.handovers.map((h) => h.stepsLost ?? Number.NaN);
  return {
    mode,
    state: out.state,
    plannedEndings: out.handovers.length,
    queuedBeforeEnd: out.handovers.filter((h) => h.queuedBeforeEnd).length,
    gapS: { values: gaps, mean: mean(gaps), max: max(gaps) },
    stepsLostPerEnding: { values: lost, max: max(lost) },
    jobs: out.jobs.length,
    handovers: out.handovers,
    endings: out.events
      .filter((e) => /^(recover_|rollback|planned_continuation|run_completed|needs_attention)/.test(e.type))
      .map((e) => `${e.type}: ${e.cause}`)
  };
}

export async function run(opts: QueueGapsOptions = {}): Promise<QueueGapsResult> {
  const trainIters = opts.quick ? 340 : 700;
  const stepMs = 200;
  const modes: ModeResult[] = [];
  for (const m of ["chained", "submit_after_end"] as const) modes.push(await measure(m, trainIters, stepMs));
  const result: QueueGapsResult = {
    figure: "queue-gaps",
    unit: "seconds (Slurm timestamps, 1 s resolution)",
    config: { trainIters, stepMs, timeLimit: "00:01:00", exitMarginMin: 0.25 },
    modes,
    measuredAt: new Date().toISOString()
  };
  const out = opts.out === undefined ? join(REPO_ROOT, "bench", "results", "queue-gaps.json") : opts.out;
  if (out !== null) {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(result, null, 2) + "\n");
  }
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await run({ quick: process.argv.includes("--quick") });
  for (const m of r.modes) {
    process.stdout.write(
      `${m.mode.padEnd(17)} ${m.state}  planned endings ${m.plannedEndings}  queued before end ${m.queuedBeforeEnd}  gap s ${JSON.stringify(m.gapS.values)} (mean ${m.gapS.mean?.toFixed(1) ?? "-"})  steps lost ${JSON.stringify(m.stepsLostPerEnding.values)}\n`
    );
  }
  process.exit(0);
}

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine } from "./lib/machine.ts";
import type { BenchOptions, FigureName, FigureResult } from "./lib/result.ts";
import { FIGURE_NAMES, QUICK_FIGURES } from "./lib/result.ts";
import { consoleTable } from "./lib/table.ts";
import { renderMarkdown } from "./lib/markdown.ts";
import type { Report } from "./lib/markdown.ts";
import { runSlurmRpcs } from "./figures/slurm-rpcs.ts";
import { runParseThroughput } from "./figures/parse-throughput.ts";
import { runPlanTime } from "./figures/plan-time.ts";
import { runFollowRuns } from "./figures/follow-runs.ts";
import { runSpikeDecision } from "./figures/spike-decision.ts";
import { runNodefailResubmit } from "./figures/nodefail-resubmit.ts";
import { runQueueGapsFigure } from "./figures/queue-gaps.ts";
import { runCliStartup } from "./figures/cli-startup.ts";
import { runSimulate } from "./figures/simulate.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function figureRunner(name: FigureName): (o: BenchOptions) => Promise<FigureResult> {
  switch (name) {
    case "nodefail":
      return runNodefailResubmit;
    case "spike":
      return runSpikeDecision;
    case "rpcs":
      return runSlurmRpcs;
    case "parse":
      return runParseThroughput;
    case "plan":
      return runPlanTime;
    case "follow":
      return runFollowRuns;
    case "gaps":
      return runQueueGapsFigure;
    case "startup":
      return runCliStartup;
    case "simulate":
      return runSimulate;
  }
}

interface Args {
  quick: boolean;
  only: FigureName[];
  out: string;
  /** re-render BENCHMARKS.md from an existing JSON report and exit */
  fromJson?: string;
  markdown: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    quick: false,
    markdown: false,
    only: [],
    out: join(REPO_ROOT, "bench", "results", "latest.json")
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") args.quick = true;
    else if (a === "--markdown") args.markdown = true;
    else if (a === "--render") {
      const v = argv[++i];
      if (v === undefined) throw new Error("--render needs a JSON report");
      args.fromJson = resolve(v);
    } else if (a === "--only" || a === "--out") {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      if (a === "--out") args.out = resolve(v);
      else
        for (const n of v.split(",")) {
          if (!(FIGURE_NAMES as readonly string[]).includes(n))
            throw new Error(`unknown figure ${n}; one of ${FIGURE_NAMES.join(", ")}`);
          args.only.push(n as FigureName);
        }
    } else if (a === "-h" || a === "--help") {
      process.stdout.write(
        `usage: npm run bench -- [--quick] [--only ${FIGURE_NAMES.join("|")}[,…]] [--out file.json] [--markdown] [--render report.json]\n`
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.fromJson) {
    const report = JSON.parse(await readFile(args.fromJson, "utf8")) as Report;
    await writeFile(join(REPO_ROOT, "BENCHMARKS.md"), renderMarkdown(report));
    process.stdout.write(consoleTable(report.figures) + "\nwrote BENCHMARKS.md\n");
    return;
  }
  const names = args.only.length ? args.only : args.quick ? [...QUICK_FIGURES] : [...FIGURE_NAMES];
  const started = Date.now();
  const log = (line: string): void => {
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
  };
  const opts: BenchOptions = { quick: args.quick, repoRoot: REPO_ROOT, log };
  const machine = describeMachine();
  const loadStart = loadavg()[0] ?? 0;
  const results: FigureResult[] = [];
  const failures: { figure: FigureName; error: string }[] = [];
  for (const name of names) {
    log(`figure ${name}${args.quick ? " (quick)" : ""}`);
    try {
      results.push(await figureRunner(name)(opts));
    } catch (e) {
      // one broken figure must not cost the others' numbers
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      failures.push({ figure: name, error: msg });
      log(`figure ${name} failed: ${msg}`);
    }
  }
  const report: Report = {
    machine,
    mode: args.quick ? "quick" : "full",
    durationMs: Date.now() - started,
    figures: results,
    failures,
    load: { start: loadStart, end: loadavg()[0] ?? 0 }
  };
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, JSON.stringify(report, null, 2) + "\n");
  // BENCHMARKS.md records full runs of every figure only, so a quick or partial run never replaces it
  if (args.markdown || (!args.quick && args.only.length === 0)) {
    await writeFile(join(REPO_ROOT, "BENCHMARKS.md"), renderMarkdown(report));
    log("wrote BENCHMARKS.md");
  }
  process.stdout.write(
    `\n${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGb} GB, Node ${machine.node}, ${machine.slurm}\n\n`
  );
  process.stdout.write(consoleTable(results) + "\n");
  for (const r of results) for (const n of r.notes) process.stdout.write(`  ${r.name}: ${n}\n`);
  process.stdout.write(`\nwrote ${args.out} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (failures.length) {
    process.stdout.write(`failed figures: ${failures.map((f) => f.figure).join(", ")}\n`);
    process.exitCode = 1;
  }
}

await main();

import { execFile } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import type { BenchOptions, FigureResult, Measurement } from "../lib/result.ts";
import { checkTarget } from "../lib/result.ts";
import { summarize } from "../lib/stats.ts";

const run = promisify(execFile);

interface Timings {
  compiled: number[];
  sources: number[];
}

/**
 * Wall time of whole CLI processes, one after another: the compiled bin, and the TypeScript
 * sources through tsx (how the bin ran before the build step) as the anchor. The two alternate
 * trial by trial, so a busy moment on the machine costs both the same.
 */
async function timeProcesses(opts: BenchOptions, args: readonly string[], trials: number): Promise<Timings> {
  const bin = join(opts.repoRoot, "packages", "cli", "bin", "neoxctl.js");
  const src = join(opts.repoRoot, "packages", "cli", "src", "main.ts");
  const ways = {
    compiled: [bin, ...args],
    sources: ["--import", "tsx", src, ...args]
  };
  const env = { ...process.env, NEOXCTL_REDIS_PREFIX: "neoxctl-bench-startup:" };
  const once = async (argv: string[]): Promise<number> => {
    const t0 = performance.now();
    await run(process.execPath, argv, { cwd: opts.repoRoot, env });
    return performance.now() - t0;
  };
  // one untimed run each fills the page cache, as an operator's second command would find it
  await once(ways.compiled);
  await once(ways.sources);
  const out: Timings = { compiled: [], sources: [] };
  for (let i = 0; i < trials; i++) {
    out.compiled.push(await once(ways.compiled));
    out.sources.push(await once(ways.sources));
  }
  return out;
}

function measurement(label: string, t: Timings, targetMs: number): Measurement {
  const summary = summarize(t.compiled);
  const anchor = summarize(t.sources);
  return checkTarget({
    metric: "cli_ms",
    case: label,
    unit: "ms",
    summary,
    anchor: { label: "sources through tsx", summary: anchor },
    ratio: summary.p50 / anchor.p50,
    target: { op: "<=", value: targetMs, on: "p50" }
  });
}

/**
 * How long an operator waits for the CLI: `neoxctl --version` (start-up alone) and
 * `neoxctl status --json` against the running Redis (start-up, one connection, the run list). Runs
 * the compiled CLI in packages/cli/dist, so `npm run build` must have run (pretest does).
 */
export async function runCliStartup(opts: BenchOptions): Promise<FigureResult> {
  const started = Date.now();
  const trials = opts.quick ? 10 : 30;
  const version = await timeProcesses(opts, ["--version"], trials);
  opts.log(`startup: --version p50 ${summarize(version.compiled).p50.toFixed(0)} ms`);
  const status = await timeProcesses(opts, ["status", "--json"], trials);
  opts.log(`startup: status --json p50 ${summarize(status.compiled).p50.toFixed(0)} ms`);
  const measurements = [
    measurement("neoxctl --version", version, 150),
    measurement("neoxctl status --json (Redis up, no runs under the prefix)", status, 400)
  ];
  return {
    name: "startup",
    title: "CLI start-up",
    scope:
      "whole `node packages/cli/bin/neoxctl.js` processes run one after another (the compiled dist/ bundles): Node start-up, module loading, argument parsing and, for status, one Redis connection and the run list under an empty key prefix",
    measurements,
    notes: [
      "the target applies to the p50; the anchor is the same command run from the TypeScript sources through tsx"
    ],
    durationMs: Date.now() - started
  };
}

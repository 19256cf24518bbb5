import { execFile } from "node:child_process";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { RunSpecSchema, parseClusterProfile, parseDataManifest, parseRunSpec } from "@neoxctl/core";
import type { ClusterProfile, DataManifest, RunSpec } from "@neoxctl/core";
import { planRun, renderAttempt } from "@neoxctl/plan";
import type { BenchOptions, FigureResult } from "../lib/result.ts";
import { summarize } from "../lib/stats.ts";

const run = promisify(execFile);

interface Inputs {
  spec: RunSpec;
  profile: ClusterProfile;
  manifest: DataManifest;
}

/** What `neoxctl plan` reads: the spec, its cluster profile and the data manifest it names. */
async function load(repoRoot: string, specPath: string): Promise<Inputs> {
  const spec = parseRunSpec(await readFile(specPath, "utf8"), specPath);
  const profilePath = join(repoRoot, "clusters", `${spec.cluster.profile}.yaml`);
  const profile = parseClusterProfile(await readFile(profilePath, "utf8"), profilePath);
  const manifestPath = resolve(dirname(specPath), spec.data.manifest!);
  const manifest = parseDataManifest(await readFile(manifestPath, "utf8"), manifestPath);
  return { spec, profile, manifest };
}

function planOnce(repoRoot: string, i: Inputs): number {
  const plan = planRun({ ...i, repoRoot, runDir: "/scratch/project_462000000/emma500/runs/bench" });
  const r = renderAttempt(plan, { index: 1, runId: i.spec.name, load: { kind: "init" }, excludeNodes: [] });
  return Object.keys(r.files).length;
}

/** 1,000 variants of the EMMA-500 spec over lr × seed × size, each validated by the schema and planned. */
function sweepVariants(base: RunSpec): unknown[] {
  const lrs = [5e-5, 1e-4, 1.5e-4, 2e-4, 3e-4];
  const sizes = [128, 256, 512, 1024];
  const out: unknown[] = [];
  for (let k = 0; out.length < 1000; k++) {
    const spec = structuredClone(base) as RunSpec;
    spec.name = `emma500-sweep-${k}`;
    spec.training.lr = lrs[k % lrs.length]!;
    spec.training.seed = 1000 + k;
    spec.cluster.size = { gcds: sizes[Math.floor(k / lrs.length) % sizes.length]! };
    out.push(spec);
  }
  return out;
}

export async function runPlanTime(opts: BenchOptions): Promise<FigureResult> {
  const started = Date.now();
  const specPath = join(opts.repoRoot, "examples", "emma500-llama3-8b.yaml");
  const inProcTrials = opts.quick ? 10 : 40;
  const cliTrials = opts.quick ? 2 : 8;
  const sweepTrials = opts.quick ? 1 : 3;

  // warm-up: module loading and JIT are the CLI figure's business, not the in-process one's
  for (let i = 0; i < 3; i++) planOnce(opts.repoRoot, await load(opts.repoRoot, specPath));
  const inProc: number[] = [];
  const planOnly: number[] = [];
  for (let i = 0; i < inProcTrials; i++) {
    const t0 = performance.now();
    const inputs = await load(opts.repoRoot, specPath);
    const t1 = performance.now();
    planOnce(opts.repoRoot, inputs);
    const t2 = performance.now();
    inProc.push(t2 - t0);
    planOnly.push(t2 - t1);
  }
  opts.log(`plan: in-process p50 ${summarize(inProc).p50.toFixed(1)} ms`);

  const cli: number[] = [];
  const out = await mkdtemp(join(tmpdir(), "neoxctl-bench-plan-"));
  try {
    for (let i = 0; i < cliTrials; i++) {
      const t0 = performance.now();
      await run(
        process.execPath,
        [
          join(opts.repoRoot, "packages", "cli", "bin", "neoxctl.js"),
          "plan",
          specPath,
          "--cluster",
          "lumi",
          "--out",
          out
        ],
        { cwd: opts.repoRoot }
      );
      cli.push(performance.now() - t0);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  opts.log(`plan: CLI p50 ${summarize(cli).p50.toFixed(0)} ms`);

  const base = (await load(opts.repoRoot, specPath)).spec;
  const inputs = await load(opts.repoRoot, specPath);
  const variants = sweepVariants(base);
  const sweep: number[] = [];
  for (let t = 0; t < sweepTrials; t++) {
    const t0 = performance.now();
    for (const v of variants) planOnce(opts.repoRoot, { ...inputs, spec: RunSpecSchema.parse(v) });
    sweep.push(performance.now() - t0);
  }
  opts.log(`plan: 1,000-spec sweep ${summarize(sweep).p50.toFixed(0)} ms`);

  return {
    name: "plan",
    title: "Planning time",
    scope:
      "EMMA-500 Llama 3 8B on LUMI (512 GCDs, 500+ datasets): read + validate spec/profile/manifest, planRun, renderAttempt (all attempt-1 files, no writes); the CLI figure is a whole `neoxctl plan` process including Node start-up and file writes",
    measurements: [
      {
        metric: "plan_ms",
        case: "EMMA-500 in-process (load+plan+render)",
        unit: "ms",
        summary: summarize(inProc)
      },
      {
        metric: "plan_ms",
        case: "EMMA-500 in-process (plan+render only)",
        unit: "ms",
        summary: summarize(planOnly)
      },
      { metric: "plan_ms", case: "EMMA-500 CLI process", unit: "ms", summary: summarize(cli) },
      {
        metric: "plan_ms",
        case: "1,000-spec sweep (lr×seed×size), total",
        unit: "ms",
        summary: summarize(sweep)
      },
      {
        metric: "plan_ms",
        case: "1,000-spec sweep, per spec",
        unit: "ms",
        summary: summarize(sweep.map((s) => s / variants.length))
      }
    ],
    notes: [
      `sweep: 5 learning rates × 4 sizes (128–1,024 GCDs) × 1,000 seeds, each spec re-validated by RunSpecSchema then planned and rendered in one process`
    ],
    durationMs: Date.now() - started
  };
}

import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Command } from "commander";
import { SpecError, parseClusterProfile, parseDataManifest, parseRunSpec } from "@neoxctl/core";
import type { ClusterProfile, DataManifest, RunSpec } from "@neoxctl/core";
import { StepRecordSchema, recordFiles, recordPathFor, taskIndices } from "@neoxctl/core";
import { planGraph, planRun, readTokenizerJson, renderRun } from "@neoxctl/plan";
import type { GraphOptions, Plan, TokenizerInfo } from "@neoxctl/plan";
import { CHECKOUT_ROOT, CLI_DIR, CLUSTERS_DIR } from "../install-paths.ts";
import { printJson, printText, runAction } from "../output.ts";

/** The neoxctl checkout this CLI runs from (the emulator lives there), else the installed package. */
export const REPO_ROOT = CHECKOUT_ROOT ?? CLI_DIR;

async function readSource(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : String(err);
    throw new SpecError("SPEC_NOT_FOUND", [{ path: what, received: path, rule: reason }]);
  }
}

/** A bare name means clusters/<name>.yaml in the checkout; anything path-like is a file. */
export function clusterProfilePath(ref: string): string {
  return /[/\\]|\.ya?ml$/.test(ref) ? resolve(ref) : join(CLUSTERS_DIR, `${ref}.yaml`);
}

export interface LoadedInputs {
  spec: RunSpec;
  profile: ClusterProfile;
  manifest: DataManifest;
}

/** Reads and validates the spec, its cluster profile and its data manifest. */
export async function loadPlanInputs(
  specPath: string,
  clusterRef: string | undefined
): Promise<LoadedInputs> {
  const spec = parseRunSpec(await readSource(specPath, "spec"), specPath);
  const profilePath = clusterProfilePath(clusterRef ?? spec.cluster.profile);
  const profile = parseClusterProfile(await readSource(profilePath, "cluster.profile"), profilePath);
  let manifest: DataManifest;
  if (spec.data.inline !== undefined) manifest = spec.data.inline;
  else {
    const ref = spec.data.manifest!;
    const manifestPath = isAbsolute(ref) ? ref : resolve(dirname(specPath), ref);
    manifest = parseDataManifest(await readSource(manifestPath, "data.manifest"), manifestPath);
  }
  return { spec, profile, manifest };
}

interface PlanOptions {
  cluster?: string;
  out: string;
  runDir?: string;
  json?: boolean;
  from?: string;
  only?: string;
}

/** The tokenizer.json plan can read here: init.tokenizer, else the HF model's (before conversion). */
export function readLocalTokenizer(spec: RunSpec): TokenizerInfo | undefined {
  const candidates = [
    spec.init.tokenizer,
    ...(spec.init.hf_model !== undefined ? [`${spec.init.hf_model}/tokenizer.json`] : [])
  ];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    try {
      return readTokenizerJson(path, readFileSync(path, "utf8"));
    } catch (err) {
      throw new SpecError("SPEC_INVALID", [
        { path: "init.tokenizer", received: path, rule: `is not a readable tokenizer.json (${String(err)})` }
      ]);
    }
  }
  return undefined;
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/**
 * Step records and the sizes of the files they list, read where plan sees the cluster's files
 * (a local cluster): what decides which steps are skipped.
 */
export function readLocalRecords(
  plan: Plan,
  manifest: DataManifest,
  tokenizer: TokenizerInfo | undefined
): Pick<GraphOptions, "records" | "observed" | "exists"> {
  // the graph's record paths; the records themselves do not change them
  const probe = planGraph(plan, { manifest, ...(tokenizer !== undefined ? { tokenizer } : {}) });
  const records = new Map<string, unknown>();
  const observed = new Map<string, number | undefined>();
  for (const step of probe.graph.steps)
    for (const t of taskIndices(step)) {
      const path = recordPathFor(step, t);
      if (!existsSync(path)) continue;
      try {
        const rec: unknown = JSON.parse(readFileSync(path, "utf8"));
        records.set(path, rec);
        const parsed = StepRecordSchema.safeParse(rec);
        if (parsed.success) for (const f of recordFiles(parsed.data)) observed.set(f, sizeOf(f));
      } catch {
        // a torn or foreign record is simply not a verified one
      }
    }
  return { records, observed, exists: existsSync };
}

export function register(program: Command): void {
  program
    .command("plan")
    .description(
      "Check a run spec and write attempt 1's NeoX configs and batch script, the job graph's step scripts and plan.json"
    )
    .argument("<spec>", "run spec YAML")
    .option(
      "--cluster <name|file>",
      "cluster profile: a name in clusters/ or a YAML file (default: the spec's cluster.profile)"
    )
    .requiredOption("--out <dir>", "directory to write the plan into")
    .option(
      "--run-dir <path>",
      "absolute run directory on the cluster (default: --out when the cluster is reached locally)"
    )
    .option("--json", "print plan.json instead of the summary")
    .option("--from <step>", "re-run this step of the job graph and every step after it")
    .option("--only <step>", "run only this step of the job graph")
    .action(async (specArg: string, opts_: PlanOptions) =>
      runAction(opts_.json === true, async () => {
        const specPath = resolve(specArg);
        const { spec, profile, manifest } = await loadPlanInputs(specPath, opts_.cluster);
        const outDir = resolve(opts_.out);
        const runDir = opts_.runDir ?? (profile.access.kind === "local" ? outDir : undefined);
        const plan = planRun({
          spec,
          profile,
          manifest,
          ...(CHECKOUT_ROOT !== null ? { repoRoot: CHECKOUT_ROOT } : {}),
          ...(runDir !== undefined ? { runDir } : {})
        });
        const local = profile.access.kind === "local" && plan.runDir !== null;
        const tokenizer = readLocalTokenizer(spec);
        const opts = {
          ...(tokenizer !== undefined ? { tokenizer } : {}),
          ...(opts_.from !== undefined ? { from: opts_.from } : {}),
          ...(opts_.only !== undefined ? { only: opts_.only } : {})
        };
        const records = local ? readLocalRecords(plan, manifest, tokenizer) : {};
        const run = renderRun(plan, manifest, { ...opts, ...records });
        const files = run.files;
        // everything is rendered before the first write, so bad input leaves the directory untouched
        for (const [rel, content] of Object.entries(files)) {
          const path = join(outDir, rel);
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, content);
        }
        if (opts_.json === true) printJson(run.planJson);
        else printText(run.summary + `\nwrote ${Object.keys(files).length} files to ${outDir}\n`);
      })
    );
}

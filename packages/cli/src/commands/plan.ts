import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Command } from "commander";
import { SpecError, parseClusterProfile, parseDataManifest, parseRunSpec } from "@neoxctl/core";
import type { ClusterProfile, DataManifest, RunSpec } from "@neoxctl/core";
import { planRun, renderAttempt, renderSummary } from "@neoxctl/plan";
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
}

export function register(program: Command): void {
  program
    .command("plan")
    .description("Check a run spec and write attempt 1's NeoX configs, batch script and plan.json")
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
    .action(async (specArg: string, opts: PlanOptions) =>
      runAction(opts.json === true, async () => {
        const specPath = resolve(specArg);
        const { spec, profile, manifest } = await loadPlanInputs(specPath, opts.cluster);
        const outDir = resolve(opts.out);
        const runDir = opts.runDir ?? (profile.access.kind === "local" ? outDir : undefined);
        const plan = planRun({
          spec,
          profile,
          manifest,
          ...(CHECKOUT_ROOT !== null ? { repoRoot: CHECKOUT_ROOT } : {}),
          ...(runDir !== undefined ? { runDir } : {})
        });
        const { files } = renderAttempt(plan, {
          index: 1,
          runId: spec.name,
          load: { kind: "init" },
          excludeNodes: []
        });
        // everything is rendered before the first write, so bad input leaves the directory untouched
        for (const [rel, content] of Object.entries(files)) {
          const path = join(outDir, rel);
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, content);
        }
        if (opts.json === true) printJson(JSON.parse(files["plan.json"]!));
        else printText(renderSummary(plan) + `\nwrote ${Object.keys(files).length} files to ${outDir}\n`);
      })
    );
}

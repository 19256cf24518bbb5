import { join, resolve } from "node:path";
import type { Command } from "commander";
import { SpecError } from "@neoxctl/core";
import type { ClusterProfile } from "@neoxctl/core";
import { createExecutor, execTargetFromAccess } from "@neoxctl/exec";
import { renderCanaryReport } from "@neoxctl/plan";
import type { CanaryReport } from "@neoxctl/plan";
import { printJson, printLine, printText, runAction } from "../output.ts";
import { loadPlanInputs, REPO_ROOT } from "./plan.ts";
import { NO_GO_EXIT, runCanary } from "./smoke-run.ts";
import type { LoadedInputs } from "./plan.ts";

export interface SmokeOptions {
  cluster?: string;
  out?: string;
  steps?: string;
  json?: boolean;
}

/** The canary's run directory: --out/<id>, else ./runs/<id> on a local cluster; required over SSH. */
function canaryDirs(profile: ClusterProfile, out: string | undefined): (runId: string) => string {
  if (out !== undefined) return (id) => join(resolve(out), id);
  if (profile.access.kind !== "local")
    throw new SpecError("SPEC_INVALID", [
      { path: "--out", received: "(none)", rule: "is required when the cluster is reached over SSH" }
    ]);
  return (id) => join(process.cwd(), "runs", id);
}

/** Runs the canary of already loaded inputs; prints progress on stderr unless quiet. */
export async function smokeOf(
  inputs: LoadedInputs,
  opts: SmokeOptions,
  quiet: boolean
): Promise<CanaryReport> {
  const steps = opts.steps !== undefined ? Number(opts.steps) : 10;
  const runDir = canaryDirs(inputs.profile, opts.out);
  const exec = await createExecutor(execTargetFromAccess(inputs.profile.access));
  try {
    const { report } = await runCanary({
      ...inputs,
      repoRoot: REPO_ROOT,
      runDir,
      steps,
      exec,
      ...(quiet ? {} : { progress: (l: string) => printLine(l, process.stderr) })
    });
    return report;
  } finally {
    await exec.close();
  }
}

export function printReport(report: CanaryReport, json: boolean): void {
  if (json) printJson(report);
  else printText(renderCanaryReport(report));
  if (report.verdict === "no-go") process.exitCode = NO_GO_EXIT;
}

export function register(program: Command): void {
  program
    .command("smoke")
    .description(
      "Run a canary of a run on the cluster's debug partition (≤ 2 nodes, a few steps, a checkpoint save + load) and report go/no-go"
    )
    .argument("<spec>", "run spec YAML")
    .option("--cluster <name|file>", "cluster profile (default: the spec's cluster.profile)")
    .option(
      "--out <dir>",
      "absolute directory on the cluster for the canary's run directory (default ./runs)"
    )
    .option("--steps <n>", "steps before the save (one more follows the load)", "10")
    .option("--json", "print the report as one JSON object (no progress lines)")
    .addHelpText(
      "after",
      [
        "",
        "The canary uses the run's image, environment, launch, init checkpoint and data on the profile's",
        "canary partition (LUMI: dev-g, 2 nodes, 30 min): tp/pp kept, dp shrunk. It trains --steps steps,",
        "saves into <checkpointing.save>-canary/<id>/checkpoints, then loads that save and trains one more.",
        "Exit status: 0 go, 3 no-go, 1/2 neoxctl errors."
      ].join("\n")
    )
    .action(async (specArg: string, opts: SmokeOptions) =>
      runAction(opts.json === true, async () => {
        const inputs = await loadPlanInputs(resolve(specArg), opts.cluster);
        printReport(await smokeOf(inputs, opts, opts.json === true), opts.json === true);
      })
    );
}

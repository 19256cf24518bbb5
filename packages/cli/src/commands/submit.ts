import { join, resolve } from "node:path";
import type { Command } from "commander";
import { SpecError } from "@neoxctl/core";
import { createExecutor } from "@neoxctl/exec";
import {
  createRun,
  enqueueSubmit,
  execTargetOf,
  newRunId,
  openStore,
  defaultPrefix
} from "@neoxctl/supervisor";
import { printJson, printLine, runAction } from "../output.ts";
import { loadPlanInputs, REPO_ROOT } from "./plan.ts";

interface SubmitOptions {
  cluster?: string;
  runDir?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("submit")
    .description(
      "Plan a run, write its run directory, record it in Redis and queue attempt 1 for the supervisor"
    )
    .argument("<spec>", "run spec YAML")
    .option("--cluster <name|file>", "cluster profile (default: the spec's cluster.profile)")
    .option(
      "--run-dir <path>",
      "absolute run directory on the cluster (default ./runs/<run id> for a local cluster)"
    )
    .option("--json", "print the run as JSON")
    .action(async (specArg: string, opts: SubmitOptions) =>
      runAction(opts.json === true, async () => {
        const { spec, profile, manifest } = await loadPlanInputs(resolve(specArg), opts.cluster);
        const runId = newRunId(spec.name);
        let runDir = opts.runDir;
        if (runDir === undefined) {
          if (profile.access.kind !== "local")
            throw new SpecError("SPEC_INVALID", [
              {
                path: "--run-dir",
                received: "(none)",
                rule: "is required when the cluster is reached over SSH"
              }
            ]);
          runDir = join(process.cwd(), "runs", runId);
        }
        const exec = await createExecutor(execTargetOf(profile.access));
        const { store, close } = await openStore();
        try {
          const run = await createRun(store, exec, {
            spec,
            profile,
            manifest,
            repoRoot: REPO_ROOT,
            runDir: resolve(runDir),
            runId
          });
          await enqueueSubmit(store.redis, defaultPrefix(), run.id);
          if (opts.json === true)
            printJson({ runId: run.id, state: run.state, runDir: run.runDir, cluster: run.cluster });
          else printLine(run.id);
        } finally {
          await exec.close();
          close();
        }
      })
    );
}

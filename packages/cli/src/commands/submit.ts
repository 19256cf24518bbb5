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
import { printReport, smokeOf } from "./smoke.ts";
import type { CanaryReport } from "@neoxctl/plan";
import { planRun, renderRun } from "@neoxctl/plan";
import { loadPlanInputs, readLocalTokenizer, REPO_ROOT } from "./plan.ts";

interface SubmitOptions {
  cluster?: string;
  runDir?: string;
  json?: boolean;
  smoke?: boolean;
  smokeOut?: string;
  smokeSteps?: string;
  graph?: boolean;
  from?: string;
  only?: string;
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
      "absolute run directory on the cluster; required for a cluster reached over SSH (default ./runs/<run id> for a local cluster)"
    )
    .option("--json", "print the run as JSON")
    .option("--smoke", "run `neoxctl smoke` first and submit only on go (no-go: the report, exit 3)")
    .option("--smoke-out <dir>", "the canary's directory (as smoke --out)")
    .option("--smoke-steps <n>", "the canary's steps (as smoke --steps)", "10")
    .option(
      "--graph",
      "run the plan's whole job graph (convert, tokenize, merge, train, export): steps whose records verify are skipped"
    )
    .option(
      "--from <step>",
      "with --graph: re-run this step and every step after it (the steps they need must verify)"
    )
    .option(
      "--only <step>",
      "with --graph: run this step alone, then complete the run (the steps it needs must verify; the others do not run)"
    )
    .action(async (specArg: string, opts: SubmitOptions) =>
      runAction(opts.json === true, async () => {
        if (opts.graph !== true && (opts.from !== undefined || opts.only !== undefined))
          // without the graph there are no steps to choose from: refused rather than ignored
          throw new SpecError("SPEC_INVALID", [
            {
              path: opts.only !== undefined ? "--only" : "--from",
              received: String(opts.only ?? opts.from),
              rule: "chooses steps of the job graph: it needs --graph"
            }
          ]);
        const { spec, profile, manifest } = await loadPlanInputs(resolve(specArg), opts.cluster);
        let smoke: CanaryReport | undefined;
        if (opts.smoke === true) {
          const report = await smokeOf(
            { spec, profile, manifest },
            {
              ...(opts.smokeOut !== undefined ? { out: opts.smokeOut } : {}),
              ...(opts.smokeSteps !== undefined ? { steps: opts.smokeSteps } : {})
            },
            opts.json === true
          );
          if (report.verdict === "no-go") {
            // the report on stdout (JSON with --json), nothing submitted
            printReport(report, opts.json === true);
            return;
          }
          if (opts.json !== true) printReport(report, false);
          smoke = report;
        }
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
          const selection = {
            ...(opts.from !== undefined ? { from: opts.from } : {}),
            ...(opts.only !== undefined ? { only: opts.only } : {})
          };
          let graph;
          if (opts.graph === true) {
            // the step scripts go to the run directory first; the supervisor verifies records itself
            const plan = planRun({ spec, profile, manifest, repoRoot: REPO_ROOT, runDir: resolve(runDir) });
            const tokenizer = readLocalTokenizer(spec);
            const rendered = renderRun(plan, manifest, {
              ...(tokenizer !== undefined ? { tokenizer } : {}),
              ...selection
            });
            for (const [rel, content] of Object.entries(rendered.files))
              await exec.writeFile(join(resolve(runDir), rel), content);
            // a plan made with a run directory always carries its graph
            graph = rendered.graph?.graph;
          }
          const run = await createRun(store, exec, {
            ...(graph ? { graph, selection } : {}),
            spec,
            profile,
            manifest,
            repoRoot: REPO_ROOT,
            runDir: resolve(runDir),
            runId
          });
          await enqueueSubmit(store.redis, defaultPrefix(), run.id);
          const where = {
            runId: run.id,
            state: run.state,
            runDir: run.runDir,
            cluster: run.cluster,
            redisPrefix: store.keys.prefix,
            redisKey: store.keys.run(run.id),
            next: nextCommands(run.id),
            ...(smoke !== undefined ? { smoke } : {})
          };
          if (opts.json === true) printJson(where);
          else {
            // stdout stays the run id alone (scripts read it); where it lives and what next go to stderr
            printLine(run.id);
            printLine(submittedText(where), process.stderr);
          }
        } finally {
          await exec.close();
          close();
        }
      })
    );
}

/** The commands to watch a run just submitted. */
export function nextCommands(runId: string): string[] {
  return [
    `neoxctl supervise            # if no supervisor is running for this Redis prefix`,
    `neoxctl status ${runId}`,
    `neoxctl events ${runId}`,
    `neoxctl logs ${runId} -f`
  ];
}

export function submittedText(w: {
  runId: string;
  runDir: string;
  cluster: string;
  redisPrefix: string;
  redisKey: string;
  next: readonly string[];
}): string {
  return [
    `submitted run ${w.runId}: queued for the supervisor`,
    `  run dir:  ${w.runDir} (on cluster ${w.cluster})`,
    `  Redis:    key ${w.redisKey} (prefix ${w.redisPrefix}; NEOXCTL_REDIS_URL / NEOXCTL_REDIS_PREFIX select it)`,
    `next:`,
    ...w.next.map((c) => `  ${c}`)
  ].join("\n");
}

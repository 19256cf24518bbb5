import { SpecError } from "@neoxctl/core";
import type { SpecIssue } from "@neoxctl/core";
import { NEOX_FILES, buildNeoxConfigs, mergeNeoxConfigs } from "./neox-config.ts";
import { renderNeoxYaml } from "./neox-yaml.ts";
import { validateNeoxConfig } from "./neox-validate.ts";
import { attemptLogPath, jobComment, jobName, renderSbatch } from "./sbatch.ts";
import { planJson } from "./plan-json.ts";
import { DEEPY_ARGV, RANK_LAUNCHER, renderDeepyArgv, renderRankLauncher } from "./rank-launcher.ts";
import type { Attempt, Plan, RenderedAttempt } from "./types.ts";

function checkAttempt(plan: Plan, attempt: Attempt): void {
  const issues: SpecIssue[] = [];
  if (!Number.isInteger(attempt.index) || attempt.index < 1)
    issues.push({
      path: "attempt.index",
      received: String(attempt.index),
      rule: "must be a positive integer"
    });
  if (attempt.index === 1 && attempt.load.kind !== "init")
    issues.push({ path: "attempt.load", received: attempt.load.kind, rule: "must be init for attempt 1" });
  if (attempt.lr !== undefined && attempt.lr < plan.spec.training.min_lr) {
    issues.push({
      path: "attempt.lr",
      received: String(attempt.lr),
      rule: `is below training.min_lr ${plan.spec.training.min_lr} (NeoX asserts min_lr <= lr)`
    });
  }
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(attempt.runId))
    issues.push({ path: "attempt.runId", received: attempt.runId, rule: "must be a safe id" });
  if (issues.length > 0) throw new SpecError("SPEC_INVALID", issues);
}

/**
 * Every file of one attempt, keyed by path relative to the run directory. Pure and deterministic.
 * `logs/.keep` is there because Slurm does not create the --output directory itself.
 */
export function renderAttempt(plan: Plan, attempt: Attempt): RenderedAttempt {
  checkAttempt(plan, attempt);
  const configs = buildNeoxConfigs(plan, attempt);
  const issues = validateNeoxConfig(mergeNeoxConfigs(configs), { dataParallel: plan.layout.dp });
  if (issues.length > 0) throw new SpecError("SPEC_INVALID", issues);

  const header = [
    `neoxctl plan: run ${attempt.runId}, attempt ${attempt.index}. Generated; re-plan instead of editing.`
  ];
  const files: Record<string, string> = {};
  const configPaths = NEOX_FILES.map((f) => `neox/${f}.yml`);
  NEOX_FILES.forEach((f, i) => {
    files[configPaths[i]!] = renderNeoxYaml(configs[f], header);
  });
  files["job.sbatch"] = renderSbatch(
    plan,
    attempt,
    attempt.configRoot !== undefined ? configPaths.map((p) => `${attempt.configRoot}/${p}`) : configPaths
  );
  if (plan.profile.launch.mode === "per_rank") {
    files[RANK_LAUNCHER] = renderRankLauncher(plan, header[0]!);
    if (plan.profile.launcher.kind === "deepy") files[DEEPY_ARGV] = renderDeepyArgv(header[0]!);
  }
  files["logs/.keep"] = "";
  files["plan.json"] =
    JSON.stringify(
      planJson(plan, attempt, {
        jobName: jobName(attempt.runId),
        comment: jobComment(attempt),
        logPath: attemptLogPath(attempt),
        configPaths
      }),
      null,
      2
    ) + "\n";
  return { files };
}

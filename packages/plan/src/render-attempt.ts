import { SpecError } from "@neoxctl/core";
import type { SpecIssue } from "@neoxctl/core";
import { NEOX_FILES, buildNeoxConfigs, mergeNeoxConfigs, restartConfig } from "./neox-config.ts";
import { RESTART_CONFIG } from "./spare-launch.ts";
import { spareNodes } from "./spares.ts";
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
  const rooted = (paths: readonly string[]): string[] =>
    attempt.configRoot !== undefined ? paths.map((p) => `${attempt.configRoot}/${p}`) : [...paths];
  // an in-job restart (spare nodes) reads the same model/train/data files and the attempt's config
  // without its load block; the script adds the iteration of the checkpoint it resumes from
  const restartPaths =
    spareNodes(plan.spec) > 0 ? [...configPaths.filter((p) => p !== "neox/attempt.yml"), RESTART_CONFIG] : [];
  if (restartPaths.length > 0) files[RESTART_CONFIG] = renderNeoxYaml(restartConfig(plan, attempt), header);
  files["job.sbatch"] = renderSbatch(plan, attempt, rooted(configPaths), rooted(restartPaths));
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

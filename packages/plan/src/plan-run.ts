import { SpecError, parsePlanInput } from "@neoxctl/core";
import type { SpecIssue } from "@neoxctl/core";
import { deriveLayout } from "./layout.ts";
import { planDataMix } from "./data-mix.ts";
import { estimateRun } from "./estimate/estimates.ts";
import { buildNeoxConfigs, mergeNeoxConfigs } from "./neox-config.ts";
import { validateNeoxConfig } from "./neox-validate.ts";
import type { CheckpointPlan, Plan, PlanInput } from "./types.ts";

function checkpointPlan(trainIters: number, factor: number, keepLastN: number | undefined): CheckpointPlan {
  // NeoX saves every `factor` steps and once more at train_iters unless that step already saved
  const periodic = Math.floor(trainIters / factor);
  return { factor, keepLastN: keepLastN ?? null, expected: periodic + (trainIters % factor === 0 ? 0 : 1) };
}

/**
 * Derives everything a run needs from its spec, cluster profile and data manifest. Pure. Throws one
 * SpecError listing every inconsistency, including anything NeoX itself would refuse in the config.
 * The input goes through the schemas again whoever the caller is: the supervisor re-plans from a
 * record it read back from Redis.
 */
export function planRun(raw: PlanInput): Plan {
  const input = parsePlanInput(raw);
  const { spec, profile, manifest } = input;
  const { layout, arch, issues } = deriveLayout(spec, profile);
  if (issues.length > 0) throw new SpecError("SPEC_INVALID", issues);

  const checkpoints = checkpointPlan(
    spec.training.train_iters,
    spec.checkpointing.checkpoint_factor,
    spec.checkpointing.keep_last_n
  );
  const data = planDataMix(spec.data, manifest, layout.totalTokens);
  const plan: Plan = {
    spec,
    profile,
    arch,
    layout,
    checkpoints,
    data,
    estimates: estimateRun({ spec, profile, arch, layout, checkpoints, data }),
    repoRoot: input.repoRoot ?? null,
    runDir: input.runDir ?? null
  };

  const probe = buildNeoxConfigs(plan, {
    index: 1,
    runId: spec.name,
    load: { kind: "init" },
    excludeNodes: []
  });
  const neoxIssues: SpecIssue[] = validateNeoxConfig(mergeNeoxConfigs(probe), { dataParallel: layout.dp });
  if (neoxIssues.length > 0) throw new SpecError("SPEC_INVALID", neoxIssues);
  return plan;
}

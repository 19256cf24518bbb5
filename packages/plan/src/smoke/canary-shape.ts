import { SpecError } from "@neoxctl/core";
import type { CanaryProfile, ClusterProfile, RunSpec } from "@neoxctl/core";
import type { Layout } from "../layout.ts";

/** The canary's size next to the real run's: same tp/pp, fewer data-parallel replicas. */
export interface CanaryShape {
  nodes: number;
  dp: number;
  /** the real run's gradient accumulation, kept so each GCD does a real step's work */
  gradAccum: number;
  globalBatch: number;
  /** why the canary looks as it does, one sentence each */
  notes: string[];
}

/** The profile's canary section, or a SpecError saying the profile has none. */
export function canaryOf(profile: ClusterProfile): CanaryProfile {
  if (profile.canary !== undefined) return profile.canary;
  throw new SpecError("SPEC_INVALID", [
    {
      path: "cluster.profile",
      received: profile.name,
      rule: "has no canary section (a debug partition for `neoxctl smoke`)"
    }
  ]);
}

/**
 * How many nodes the canary takes: the most, up to the canary partition's limit and the run's own
 * size, that still hold whole model replicas (tp × pp GCDs each). Keeping the real run's gradient
 * accumulation (not its global batch) keeps each GCD's work per step, so the canary's step time is
 * comparable with the real run's estimate.
 */
export function shapeCanary(real: Layout, canary: CanaryProfile, profileName: string): CanaryShape {
  const modelParallel = real.tp * Math.max(real.pp, 1);
  const limit = Math.min(canary.max_nodes, real.nodes);
  for (let nodes = limit; nodes >= 1; nodes--) {
    const gcds = nodes * real.gcdsPerNode;
    if (gcds % modelParallel !== 0) continue;
    const dp = gcds / modelParallel;
    const notes = [
      `${nodes} of the run's ${real.nodes} nodes in ${profileName}'s canary partition ${canary.partition}`,
      `tp ${real.tp} × pp ${Math.max(real.pp, 1)} kept; dp ${real.dp} → ${dp}`,
      `gradient accumulation ${real.gradAccum} kept (global batch ${real.globalBatch} → ${real.microBatch * dp * real.gradAccum} sequences), so a step does the same work per GCD`
    ];
    return {
      nodes,
      dp,
      gradAccum: real.gradAccum,
      globalBatch: real.microBatch * dp * real.gradAccum,
      notes
    };
  }
  const needed = Math.ceil(modelParallel / real.gcdsPerNode);
  throw new SpecError("SPEC_INVALID", [
    {
      path: "parallelism",
      received: `tp ${real.tp} × pp ${Math.max(real.pp, 1)} = ${modelParallel} GCDs per replica`,
      rule: `does not fit the canary: one model replica needs ${needed} node(s) of ${real.gcdsPerNode} GCDs, ${profileName}'s canary partition ${canary.partition} allows ${limit}`
    }
  ]);
}

/**
 * The canary's run spec: the real one's image, environment, launch, init checkpoint, tokenizer and
 * data, on the canary's nodes for `steps + 1` steps (the last one after loading the canary's own
 * checkpoint), saving into `saveDir`, every step logged.
 */
export function canarySpec(
  spec: RunSpec,
  shape: CanaryShape,
  canary: CanaryProfile,
  opts: { steps: number; saveDir: string }
): RunSpec {
  const { lr_decay_iters: _decay, ...training } = spec.training;
  const { time_min: _min, ...cluster } = spec.cluster;
  return {
    ...spec,
    training: {
      ...training,
      train_iters: opts.steps + 1,
      global_batch: { sequences: shape.globalBatch },
      log_interval: 1
    },
    checkpointing: { save: opts.saveDir, checkpoint_factor: opts.steps },
    cluster: { ...cluster, time: canary.time, size: { nodes: shape.nodes } },
    // a canary tests the launch, not recovery: no spare nodes (they would not fit its partition's cap)
    resilience: { ...spec.resilience, spare_nodes: 0 }
  };
}

/** The profile as the canary sees it: the canary partition and its limits, nothing else changed. */
export function canaryProfile(profile: ClusterProfile, canary: CanaryProfile): ClusterProfile {
  const s = profile.scheduler;
  return {
    ...profile,
    scheduler: {
      ...s,
      partition: canary.partition,
      max_nodes: canary.max_nodes,
      max_time: canary.max_time,
      time_limits: [],
      extra_directives: [...s.extra_directives, ...canary.extra_directives]
    }
  };
}

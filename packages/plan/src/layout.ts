import { architectureOf, sizeInGcds, slurmTimeMinutes } from "@neoxctl/core";
import { allocatedNodes, spareIssues } from "./spares.ts";
import { timeLimitIssues } from "./time-limits.ts";
import type { ClusterProfile, ModelArchitecture, RunSpec, SpecIssue } from "@neoxctl/core";

/** Every number the batch and parallelism arithmetic produces. */
export interface Layout {
  gcds: number;
  nodes: number;
  gcdsPerNode: number;
  tp: number;
  pp: number;
  dp: number;
  microBatch: number;
  gradAccum: number;
  globalBatch: number;
  seqLength: number;
  tokensPerStep: number;
  trainIters: number;
  totalTokens: number;
}

/**
 * Derives the layout and collects every inconsistency between spec, model and cluster. Issues are
 * returned, not thrown, so the caller can report them together with other problems.
 */
export function deriveLayout(
  spec: RunSpec,
  profile: ClusterProfile
): { layout: Layout; arch: ModelArchitecture; issues: SpecIssue[] } {
  const issues: SpecIssue[] = [];
  const fail = (path: string, received: unknown, rule: string): void => {
    issues.push({ path, received: String(received), rule });
  };
  const arch = architectureOf(spec.model.preset);
  const { tp, pp } = spec.parallelism;
  const t = spec.training;
  const gcdsPerNode = profile.gcds_per_node;

  const gcds = sizeInGcds(spec.cluster.size, gcdsPerNode);
  const nodes = gcds / gcdsPerNode;
  if (!Number.isInteger(nodes))
    fail(
      "cluster.size",
      gcds,
      `GCDs is not a whole number of ${profile.name} nodes (${gcdsPerNode} GCDs each)`
    );
  else if (nodes > profile.scheduler.max_nodes)
    fail(
      "cluster.size",
      `${nodes} nodes`,
      `exceeds ${profile.name}'s limit of ${profile.scheduler.max_nodes} nodes`
    );

  issues.push(...spareIssues(spec, profile, nodes));

  // NeoX counts pp = 0 (no pipeline engine) as one stage
  const modelParallel = tp * Math.max(pp, 1);
  const dp = gcds / modelParallel;
  if (!Number.isInteger(dp))
    fail(
      "parallelism",
      `tp ${tp} × pp ${Math.max(pp, 1)}`,
      `does not divide the ${gcds} GCDs into whole data-parallel replicas`
    );
  if (tp > gcdsPerNode)
    fail(
      "parallelism.tp",
      tp,
      `is larger than one node (${gcdsPerNode} GCDs); tensor parallelism across nodes is too slow`
    );
  if (arch.num_attention_heads % tp !== 0)
    fail("parallelism.tp", tp, `does not divide num_attention_heads ${arch.num_attention_heads}`);
  if (arch.num_kv_heads % tp !== 0)
    fail("parallelism.tp", tp, `does not divide num_kv_heads ${arch.num_kv_heads}`);
  if (pp > 0)
    fail("parallelism.pp", pp, "must be 0: the HF→NeoX Llama converter writes only pp = 0 checkpoints");
  if (spec.init.tp !== undefined && spec.init.tp !== tp)
    fail(
      "parallelism.tp",
      tp,
      `must equal init.tp ${spec.init.tp}: NeoX cannot load a checkpoint converted for another tp`
    );

  let globalBatch: number;
  if ("sequences" in t.global_batch) globalBatch = t.global_batch.sequences;
  else {
    globalBatch = t.global_batch.tokens / t.seq_length;
    if (!Number.isInteger(globalBatch))
      fail(
        "training.global_batch.tokens",
        t.global_batch.tokens,
        `is not a multiple of seq_length ${t.seq_length}`
      );
  }
  const perStep = t.micro_batch * dp;
  const gradAccum = globalBatch / perStep;
  if (Number.isInteger(dp) && Number.isInteger(globalBatch) && !Number.isInteger(gradAccum)) {
    fail("training.global_batch", globalBatch, `is not a multiple of micro_batch × dp = ${perStep}`);
  }

  if (arch.max_position_embeddings < t.seq_length)
    fail(
      "training.seq_length",
      t.seq_length,
      `exceeds ${spec.model.preset}'s max_position_embeddings ${arch.max_position_embeddings}`
    );
  if (t.min_lr > t.lr) fail("training.min_lr", t.min_lr, `must be <= lr ${t.lr}`);
  // a spike rollback may lower the LR to this floor exactly; the attempt it renders must pass NeoX's min_lr <= lr
  const spikeFloor = spec.resilience.spike.min_lr;
  if (spikeFloor !== undefined && spikeFloor < t.min_lr)
    fail(
      "resilience.spike.min_lr",
      spikeFloor,
      `must be >= training.min_lr ${t.min_lr}: a rollback lowered to it would render an LR NeoX refuses (min_lr <= lr)`
    );
  if (t.lr_decay_iters !== undefined && t.lr_decay_iters > t.train_iters)
    fail("training.lr_decay_iters", t.lr_decay_iters, `is more than train_iters ${t.train_iters}`);
  if (spec.checkpointing.checkpoint_factor > t.train_iters)
    fail(
      "checkpointing.checkpoint_factor",
      spec.checkpointing.checkpoint_factor,
      `is more than train_iters ${t.train_iters}: no checkpoint before the end`
    );

  checkClusterRef(spec, profile, fail);
  // the job asks for its spares too, so the partition's size-dependent limit counts them
  if (Number.isInteger(nodes))
    issues.push(...timeLimitIssues(profile, allocatedNodes(spec, nodes), spec.cluster.time));

  const layout: Layout = {
    gcds,
    nodes,
    gcdsPerNode,
    tp,
    pp,
    dp,
    microBatch: t.micro_batch,
    gradAccum,
    globalBatch,
    seqLength: t.seq_length,
    tokensPerStep: globalBatch * t.seq_length,
    trainIters: t.train_iters,
    totalTokens: globalBatch * t.seq_length * t.train_iters
  };
  return { layout, arch, issues };
}

function checkClusterRef(
  spec: RunSpec,
  profile: ClusterProfile,
  fail: (path: string, received: unknown, rule: string) => void
): void {
  const c = spec.cluster;
  const s = profile.scheduler;
  if (s.account_required && c.account === undefined)
    fail("cluster.account", "(missing)", `is required on ${profile.name}`);
  if (slurmTimeMinutes(c.time) > slurmTimeMinutes(s.max_time))
    fail("cluster.time", c.time, `exceeds ${profile.name}'s max_time ${s.max_time}`);
  if (c.time_min !== undefined) {
    if (!s.supports_time_min) fail("cluster.time_min", c.time_min, `is not supported on ${profile.name}`);
    else if (slurmTimeMinutes(c.time_min) > slurmTimeMinutes(c.time))
      fail("cluster.time_min", c.time_min, `must be <= cluster.time ${c.time}`);
  }
}

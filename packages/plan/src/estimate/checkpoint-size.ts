import type { RunSpec } from "@neoxctl/core";
import type { Layout } from "../layout.ts";

export interface CheckpointSize {
  /** model weights in the training precision (mp_rank_*_model_states.pt) */
  weightsBytes: number;
  /** fp32 master copy kept by bf16/fp16 mixed precision */
  masterBytes: number;
  /** Adam's two fp32 moments */
  optimizerBytes: number;
  totalBytes: number;
  /** nodes writing the weights: data-parallel rank 0's model-parallel ranks */
  weightWriterNodes: number;
  /** nodes writing master + optimizer: every node under ZeRO ≥ 1 (each rank its shard), else as the weights */
  optimizerWriterNodes: number;
}

/** Bytes per parameter of the saved weights and of the fp32 master copy mixed precision keeps. */
function bytesPerParam(precision: RunSpec["precision"]): { weights: number; master: number } {
  switch (precision) {
    case "bf16":
    case "fp16":
      return { weights: 2, master: 4 };
    case "fp32":
      return { weights: 4, master: 0 };
  }
}

/**
 * Size of one NeoX (DeepSpeed) checkpoint of `params` parameters with Adam: weights in the training
 * precision, plus an fp32 master copy under mixed precision, plus two fp32 moments (Rajbhandari et al.
 * 2020, ZeRO, arXiv:1910.02054 §3.1: 2 + 2 + 12 bytes per parameter with fp16 gradients not saved).
 * The ZeRO stage does not change the total, only how many ranks write it.
 */
export function checkpointSize(p: {
  params: number;
  precision: RunSpec["precision"];
  zeroStage: number;
  layout: Layout;
}): CheckpointSize {
  const { weights, master } = bytesPerParam(p.precision);
  const weightsBytes = p.params * weights;
  const masterBytes = p.params * master;
  const optimizerBytes = p.params * 8;
  const l = p.layout;
  const weightWriterNodes = Math.max(1, Math.ceil((l.tp * Math.max(l.pp, 1)) / l.gcdsPerNode));
  return {
    weightsBytes,
    masterBytes,
    optimizerBytes,
    totalBytes: weightsBytes + masterBytes + optimizerBytes,
    weightWriterNodes,
    optimizerWriterNodes: p.zeroStage >= 1 ? Math.max(1, l.nodes) : weightWriterNodes
  };
}

/**
 * Blocking save time when each writing node sustains `gbPerSNode` GB/s: weights and optimizer shards are
 * written at the same time, so the slower of the two sets the pace.
 */
export function saveSeconds(size: CheckpointSize, gbPerSNode: number): number {
  const perNode = gbPerSNode * 1e9;
  return Math.max(
    size.weightsBytes / (size.weightWriterNodes * perNode),
    (size.masterBytes + size.optimizerBytes) / (size.optimizerWriterNodes * perNode)
  );
}

/**
 * The file set one `global_stepN/` directory must hold, derived from the run's parallelism (file
 * names from EleutherAI/DeeperSpeed@91d1c55 deepspeed/runtime/engine.py `_get_ckpt_name` and the ZeRO
 * shard names, per-layer files from deepspeed/runtime/pipe/module.py; the tag and `configs/` from
 * EleutherAI/gpt-neox@ea7aefd8f8e183256992d9fede4d7c71a46d67a5 megatron/checkpointing.py). Kept independent of the emulator on purpose: the
 * monitor checks real NeoX output, and the emulator test checks that both agree.
 */
export interface CheckpointLayout {
  tp: number;
  /** NeoX `pipe_parallel_size`: 0 = no pipeline engine; ≥ 1 writes per-layer files */
  pp: number;
  dp: number;
  bf16: boolean;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** Exact names that must exist (non-empty) directly in the step directory. */
export function requiredFiles(layout: CheckpointLayout): string[] {
  const files: string[] = [];
  const prefix = layout.bf16 ? "bf16_" : "";
  for (let t = 0; t < layout.tp; t++) files.push(`mp_rank_${pad2(t)}_model_states.pt`);
  for (let d = 0; d < layout.dp; d++) {
    for (let t = 0; t < layout.tp; t++)
      files.push(`${prefix}zero_pp_rank_${d}_mp_rank_${pad2(t)}_optim_states.pt`);
  }
  files.push("zero_to_fp32.py");
  return files;
}

/** With the pipeline engine each TP rank also writes one file per layer; the layer count is not fixed, so at least one per TP rank. */
export function requiredLayerPatterns(layout: CheckpointLayout): { tp: number; pattern: RegExp }[] {
  if (layout.pp < 1) return [];
  return Array.from({ length: layout.tp }, (_, t) => ({
    tp: t,
    pattern: new RegExp(`^layer_\\d+-model_${pad2(t)}-model_states\\.pt$`)
  }));
}

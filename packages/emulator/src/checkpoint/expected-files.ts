/**
 * The file set one `global_stepN/` holds once every rank has written, for a run's topology. Shared
 * with the monitor's checkpoint inspector so "complete" means the same thing on both sides.
 */
export interface CheckpointTopology {
  tp: number;
  /** pipe_parallel_size as configured: 0 = sequential model, ≥1 = DeepSpeed PipelineEngine */
  pp: number;
  dp: number;
  bf16: boolean;
  numLayers: number;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/**
 * Pipeline layer indices that carry parameters in NeoX's GPT2ModelPipe: the embedding (0), the
 * transformer layers (2 … L+1, index 1 is a parameterless lambda), the final norm (L+3) and the
 * output projection (L+4); index L+2 is another lambda and writes no file.
 */
export function pipelineLayerIndices(numLayers: number): number[] {
  const layers = [0];
  for (let i = 0; i < numLayers; i++) layers.push(i + 2);
  layers.push(numLayers + 3, numLayers + 4);
  return layers;
}

/**
 * Relative paths inside `global_stepN/`. An entry ending in `/` is a directory that must exist and
 * be non-empty (`configs/`, written by NeoX after DeepSpeed wrote `latest`). Order is the order the
 * emulator writes them (rank 0's files first).
 */
export function expectedCheckpointFiles(t: CheckpointTopology): string[] {
  const tp = Math.max(t.tp, 1);
  const files: string[] = [];
  const optim = (d: number, r: number): string =>
    `${t.bf16 ? "bf16_" : ""}zero_pp_rank_${d}_mp_rank_${pad2(r)}_optim_states.pt`;
  for (let r = 0; r < tp; r++) files.push(`mp_rank_${pad2(r)}_model_states.pt`);
  if (t.pp >= 1) {
    for (const l of pipelineLayerIndices(t.numLayers)) {
      for (let r = 0; r < tp; r++) files.push(`layer_${pad2(l)}-model_${pad2(r)}-model_states.pt`);
    }
  }
  for (let d = 0; d < t.dp; d++) for (let r = 0; r < tp; r++) files.push(optim(d, r));
  files.push("zero_to_fp32.py");
  files.push("configs/");
  return files;
}

/** Files global rank 0 writes itself; the rest come from other ranks, with no barrier before `latest`. */
export function rankZeroFiles(t: CheckpointTopology): string[] {
  const files = [`mp_rank_00_model_states.pt`];
  if (t.pp >= 1)
    for (const l of pipelineLayerIndices(t.numLayers))
      files.push(`layer_${pad2(l)}-model_00-model_states.pt`);
  files.push(`${t.bf16 ? "bf16_" : ""}zero_pp_rank_0_mp_rank_00_optim_states.pt`, "zero_to_fp32.py");
  return files;
}

/**
 * Tokens per optimizer step from the serialised plan input the supervisor keeps with a run. The
 * shape belongs to the planner, so this looks for the NeoX names of global batch and sequence
 * length wherever they sit, and gives up (undefined) rather than guess.
 */
const BATCH_KEYS = ["train_batch_size", "global_batch_size", "train-batch-size", "global-batch-size"];
const SEQ_KEYS = ["seq_length", "seq-length", "sequence_length", "seq_len"];

function find(value: unknown, names: readonly string[], depth: number): number | undefined {
  if (depth < 0 || value === null || typeof value !== "object") return undefined;
  const obj = value as Record<string, unknown>;
  for (const n of names) {
    const v = obj[n];
    if (typeof v === "number" && Number.isFinite(v) && v > 0) return v;
  }
  for (const v of Object.values(obj)) {
    const found = find(v, names, depth - 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function tokensPerStepOf(planInput: unknown): number | undefined {
  const batch = find(planInput, BATCH_KEYS, 4);
  const seq = find(planInput, SEQ_KEYS, 4);
  return batch !== undefined && seq !== undefined ? batch * seq : undefined;
}

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HEALTHY } from "../train/loss-model.ts";
import type { ModelStates } from "../checkpoint/state.ts";

/**
 * Stand-in for NeoX's `tools/ckpts/convert_hf_llama_to_neox.py --tp N`: the layout a continual
 * pre-training run starts from. The converter writes `latest` = `0`, one model-states file per
 * tensor-parallel rank under `0/` (iteration 1, no optimizer state) and the tokenizer.
 */
export function writeConvertedCheckpoint(dir: string, tp: number): string[] {
  const tagDir = join(dir, "0");
  mkdirSync(tagDir, { recursive: true });
  mkdirSync(join(dir, "tokenizer"), { recursive: true });
  const states: ModelStates = {
    iteration: 1,
    args: {},
    lr_scheduler: {
      start_lr: 0,
      warmup_iter: 0,
      num_iters: 0,
      decay_style: "linear",
      end_iter: 1,
      min_lr: 0
    },
    global_steps: 0,
    global_samples: 0,
    skipped_steps: 0,
    dp_world_size: 1,
    mp_world_size: tp,
    ds_version: "converted-from-hf",
    emulator: { health: HEALTHY, loss_scale: 1, seed: 0 }
  };
  const written: string[] = [];
  for (let r = 0; r < tp; r++) {
    const p = join(tagDir, `mp_rank_${String(r).padStart(2, "0")}_model_states.pt`);
    writeFileSync(p, JSON.stringify(states));
    written.push(p);
  }
  writeFileSync(
    join(dir, "tokenizer", "tokenizer.json"),
    JSON.stringify({ version: "1.0", model: { type: "BPE" } })
  );
  writeFileSync(join(dir, "latest"), "0");
  return written;
}

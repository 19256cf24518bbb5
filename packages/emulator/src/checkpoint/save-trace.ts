import type { PyFrame } from "../config/python-error.ts";

/**
 * Traceback frames of an exception raised inside NeoX's save path, outermost first (below
 * train.py's `<module>` frame, which main.ts prints). Paths are those of a NeoX checkout at
 * /gpt-neox and a conda Python 3.10; line numbers are representative, not tied to one release.
 * The order of calls follows EleutherAI/gpt-neox@ea7aefd8f8e183256992d9fede4d7c71a46d67a5 megatron/checkpointing.py (save_checkpoint)
 * and EleutherAI/DeeperSpeed@91d1c55 deepspeed/runtime/engine.py (save_checkpoint).
 */
const NEOX = "/gpt-neox";
const PY = "/opt/conda/lib/python3.10";
const SITE = `${PY}/site-packages`;

const f = (file: string, line: number, func: string): PyFrame => ({ file, line, func });

/** Where the save was called from: inside the training loop, or the final save in pretrain(). */
export type SaveCaller = "loop" | "final";

function neox(caller: SaveCaller, saveCheckpointLine = 357): PyFrame[] {
  return [
    f(`${NEOX}/train.py`, 30, "main"),
    ...(caller === "loop"
      ? [f(`${NEOX}/megatron/training.py`, 232, "pretrain"), f(`${NEOX}/megatron/training.py`, 1530, "train")]
      : [f(`${NEOX}/megatron/training.py`, 331, "pretrain")]),
    f(`${NEOX}/megatron/checkpointing.py`, saveCheckpointLine, "save_checkpoint")
  ];
}

const dsSave = (line: number): PyFrame => f(`${SITE}/deepspeed/runtime/engine.py`, line, "save_checkpoint");
const makedirs = f(`${PY}/os.py`, 225, "makedirs");

export const SAVE_FRAMES = {
  /** DeepSpeed's os.makedirs(save_dir, exist_ok=True) before anything else */
  saveDirMakedirs: (c: SaveCaller): PyFrame[] => [
    ...neox(c),
    f(`${NEOX}/megatron/checkpointing.py`, 205, "save_ds_checkpoint"),
    dsSave(3248),
    makedirs
  ],
  /** torch.save of a shard (sequential model: DeepSpeed's swallowed makedirs failure surfaces here) */
  torchSave: (c: SaveCaller): PyFrame[] => [
    ...neox(c),
    f(`${NEOX}/megatron/checkpointing.py`, 205, "save_ds_checkpoint"),
    dsSave(3290),
    f(`${SITE}/deepspeed/runtime/engine.py`, 3505, "_save_checkpoint"),
    f(`${SITE}/deepspeed/runtime/checkpoint_engine/torch_checkpoint_engine.py`, 22, "save"),
    f(`${SITE}/torch/serialization.py`, 628, "save"),
    f(`${SITE}/torch/serialization.py`, 502, "_open_zipfile_writer"),
    f(`${SITE}/torch/serialization.py`, 473, "__init__")
  ],
  /** PipelineModule.save_state_dict's own os.makedirs of the tag directory (pipe_parallel_size ≥ 1) */
  pipeMakedirs: (c: SaveCaller): PyFrame[] => [
    ...neox(c),
    f(`${NEOX}/megatron/checkpointing.py`, 205, "save_ds_checkpoint"),
    dsSave(3290),
    f(`${SITE}/deepspeed/runtime/engine.py`, 3488, "_save_checkpoint"),
    f(`${SITE}/deepspeed/runtime/pipe/engine.py`, 1340, "module_state_dict"),
    f(`${SITE}/deepspeed/runtime/pipe/module.py`, 598, "save_state_dict"),
    makedirs
  ],
  /** rank 0's plain open(save_dir/latest, "w") */
  latest: (c: SaveCaller): PyFrame[] => [
    ...neox(c),
    f(`${NEOX}/megatron/checkpointing.py`, 205, "save_ds_checkpoint"),
    dsSave(3318)
  ],
  /** NeoX's copy of the config files into <tag>/configs */
  configsMakedirs: (c: SaveCaller): PyFrame[] => [
    ...neox(c),
    f(`${NEOX}/megatron/checkpointing.py`, 211, "save_ds_checkpoint"),
    makedirs
  ],
  configsOpen: (c: SaveCaller): PyFrame[] => [
    ...neox(c),
    f(`${NEOX}/megatron/checkpointing.py`, 213, "save_ds_checkpoint")
  ],
  /** keep_last_n_checkpoints: shutil.rmtree of an old tag (NeoX catches only FileNotFoundError) */
  prune: (c: SaveCaller): PyFrame[] => [
    ...neox(c, 370),
    f(`${NEOX}/megatron/checkpointing.py`, 176, "delete_old_checkpoints"),
    f(`${PY}/shutil.py`, 725, "rmtree")
  ]
} as const;

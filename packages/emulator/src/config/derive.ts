import type { CheckpointScale, DecayStyle, EmuConfig, Precision } from "./emu-config.ts";
import { PythonError } from "./python-error.ts";
import { deriveBatch, globalNumGpus } from "./topology.ts";

type Raw = Record<string, unknown>;

const num = (raw: Raw, k: string): number | null => (typeof raw[k] === "number" ? (raw[k] as number) : null);
const str = (raw: Raw, k: string): string | null => (typeof raw[k] === "string" ? (raw[k] as string) : null);
const bool = (raw: Raw, k: string): boolean => raw[k] === true;
const dict = (raw: Raw, k: string): Raw | null => {
  const v = raw[k];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : null;
};

function derivePrecision(raw: Raw): Precision {
  const given = str(raw, "precision")?.toLowerCase() ?? null;
  if (dict(raw, "fp16")?.["enabled"] === true) return "fp16";
  if (dict(raw, "bf16")?.["enabled"] === true) {
    if (given !== null && given !== "bfloat16") {
      throw new PythonError(
        "AssertionError",
        "Specify precision as 'bfloat16' if using bf16 in deepspeed config"
      );
    }
    return "bfloat16";
  }
  if (given === "fp16" || given === "bfloat16") return given;
  return "fp32";
}

function required(raw: Raw, k: string): number {
  const v = num(raw, k);
  if (v === null)
    throw new PythonError("ValueError", `NeoXArgs.__post_init__() NeoXArgs values cannot be validated`, [
      `NeoXArgs.validate_values() ${k} must be defined`
    ]);
  return v;
}

const valuesFail = (why: string): PythonError =>
  new PythonError("ValueError", "NeoXArgs.__post_init__() NeoXArgs values cannot be validated", [
    `NeoXArgs.validate_values() ${why}`
  ]);

/** calculate_derived + validate_values for the keys the emulator honours. */
export function deriveConfig(raw: Raw, env: NodeJS.ProcessEnv): EmuConfig {
  const tp = num(raw, "model_parallel_size") ?? 1;
  const pp = num(raw, "pipe_parallel_size") ?? 0;
  const gpus = globalNumGpus({
    hostfileKey: str(raw, "hostfile"),
    numGpus: num(raw, "num_gpus"),
    numNodes: num(raw, "num_nodes"),
    globalNumGpus: num(raw, "global_num_gpus"),
    env
  });
  const batch = deriveBatch(
    gpus,
    pp,
    tp,
    num(raw, "train_batch_size"),
    num(raw, "train_micro_batch_size_per_gpu"),
    num(raw, "gradient_accumulation_steps")
  );
  const precision = derivePrecision(raw);
  const zero = dict(raw, "zero_optimization");
  if (precision === "bfloat16" && zero === null)
    throw new PythonError("TypeError", "'NoneType' object is not subscriptable");
  if (zero !== null && !("stage" in zero)) throw new PythonError("KeyError", "'stage'");

  // NeoX takes the LR from the optimizer dict; its absence means DeepSpeed's default Adam at 1e-3.
  const optimizer = dict(raw, "optimizer");
  const params = optimizer ? dict(optimizer, "params") : null;
  const lrValue = optimizer === null ? 0.001 : params?.["lr"];
  if (typeof lrValue !== "number") throw valuesFail("lr is None");
  const lr = lrValue;

  const numLayers = required(raw, "num_layers");
  const hiddenSize = required(raw, "hidden_size");
  const heads = required(raw, "num_attention_heads");
  const maxPos = required(raw, "max_position_embeddings");
  if (hiddenSize % heads !== 0) throw valuesFail(`hidden_size must be divisible by num_attention_heads`);
  const seqLength = num(raw, "seq_length") ?? maxPos;
  if (maxPos < seqLength) throw valuesFail(`max_position_embeddings must be bigger or equal seq_length`);
  const minLr = num(raw, "min_lr") ?? 0;
  if (minLr > lr) throw valuesFail(`min_lr must be smaller or equal lr`);

  const save = str(raw, "save");
  const checkpointFactor = num(raw, "checkpoint_factor");
  const extraSaveIters = Array.isArray(raw["extra_save_iters"])
    ? (raw["extra_save_iters"] as unknown[]).filter((x): x is number => typeof x === "number")
    : [];
  if (save !== null && checkpointFactor === null && raw["extra_save_iters"] == null) {
    throw valuesFail("checkpoint_factor or extra_save_iters must be defined if save is defined");
  }
  checkDataPaths(raw);

  const trainIters = num(raw, "train_iters");
  if (trainIters === null)
    throw new PythonError("ValueError", "Must specify either train_epochs or train_iters");
  const decayFraction = num(raw, "lr_decay_fraction");
  const decayIters =
    num(raw, "lr_decay_iters") ??
    (decayFraction !== null ? Math.floor(trainIters * decayFraction) : null) ??
    trainIters;
  const fp16 = dict(raw, "fp16");
  const hasValid = raw["valid_data_paths"] != null || raw["data_path"] != null;
  const evalIters = num(raw, "eval_iters") ?? 100;

  return {
    trainIters,
    logInterval: num(raw, "log_interval") ?? 100,
    evalInterval: num(raw, "eval_interval") ?? 1000,
    evalIters,
    doValid: hasValid && evalIters > 0,
    lr,
    minLr,
    warmup: num(raw, "warmup") ?? 0.01,
    decayStyle: (str(raw, "lr_decay_style") ?? "linear").toLowerCase() as DecayStyle,
    decayIters,
    save,
    load: str(raw, "load"),
    checkpointFactor,
    checkpointScale: (str(raw, "checkpoint_scale") ?? "linear").toLowerCase() as CheckpointScale,
    extraSaveIters,
    keepLastN: num(raw, "keep_last_n_checkpoints"),
    finetune: bool(raw, "finetune"),
    iteration: num(raw, "iteration"),
    overrideLrScheduler: bool(raw, "override_lr_scheduler"),
    useCheckpointLrScheduler: bool(raw, "use_checkpoint_lr_scheduler"),
    noLoadOptim: bool(raw, "no_load_optim"),
    exitInterval: num(raw, "exit_interval"),
    seed: num(raw, "seed") ?? 1234,
    tp,
    pp,
    dp: batch.dp,
    globalNumGpus: gpus,
    trainBatchSize: batch.trainBatchSize,
    micro: batch.micro,
    gas: batch.gas,
    precision,
    numLayers,
    hiddenSize,
    numAttentionHeads: heads,
    seqLength,
    peakTflops: num(raw, "peak_theoretical_tflops"),
    checkpointActivations: bool(raw, "checkpoint_activations"),
    initialScalePower:
      typeof fp16?.["initial_scale_power"] === "number" ? (fp16["initial_scale_power"] as number) : 16,
    lossScaleWindow:
      typeof fp16?.["loss_scale_window"] === "number" ? (fp16["loss_scale_window"] as number) : 1000,
    archArgs: {
      num_layers: numLayers,
      hidden_size: hiddenSize,
      num_attention_heads: heads,
      max_position_embeddings: maxPos,
      make_vocab_size_divisible_by: num(raw, "make_vocab_size_divisible_by") ?? 128,
      padded_vocab_size: null,
      tokenizer_type: str(raw, "tokenizer_type") ?? "GPT2BPETokenizer",
      model_parallel_size: tp
    }
  };
}

function checkDataPaths(raw: Raw): void {
  const splits = ["train_data_paths", "valid_data_paths", "test_data_paths"].map((k) => raw[k] != null);
  if (splits.every(Boolean) && raw["data_path"] != null)
    throw valuesFail("Please provide *either* `data_path` or `train_data_paths` etc.");
  if (splits.some(Boolean) && !splits.every(Boolean)) {
    throw valuesFail("If any explicit train, valid, or test data paths are set, all must be set");
  }
  for (const split of ["train", "valid", "test"]) {
    const paths = raw[`${split}_data_paths`];
    const weights = raw[`${split}_data_weights`];
    if (Array.isArray(paths) && Array.isArray(weights) && paths.length !== weights.length) {
      throw valuesFail(`${split}_data_paths and ${split}_data_weights must have the same number of entries`);
    }
  }
}

import type { NeoxConfig, NeoxValue } from "./neox-yaml.ts";
import { pyFloat } from "./py-float.ts";
import type { Attempt, Plan } from "./types.ts";

/** Config file base names, in the order passed to deepy.py (NeoX refuses two files with one base name). */
export const NEOX_FILES = ["model", "train", "data", "attempt"] as const;
export type NeoxFile = (typeof NEOX_FILES)[number];

function modelConfig(plan: Plan): NeoxConfig {
  const a = plan.arch;
  const m = plan.spec.model;
  return {
    num_layers: a.num_layers,
    hidden_size: a.hidden_size,
    num_attention_heads: a.num_attention_heads,
    num_kv_heads: a.num_kv_heads,
    intermediate_size: a.intermediate_size,
    mlp_multiple_of: a.mlp_multiple_of,
    seq_length: plan.layout.seqLength,
    max_position_embeddings: a.max_position_embeddings,
    pos_emb: "rotary",
    rotary_pct: pyFloat(1),
    rotary_emb_base: a.rotary_emb_base,
    no_weight_tying: true,
    gpt_j_residual: false,
    output_layer_parallelism: "column",
    norm: "rmsnorm",
    rms_norm_epsilon: pyFloat(a.rms_norm_epsilon),
    activation: "swiglu",
    use_bias_in_norms: false,
    use_bias_in_attn_linear: false,
    use_bias_in_mlp: false,
    attention_config: [[[m.attention], a.num_layers]],
    scaled_upper_triang_masked_softmax_fusion: m.attention === "global",
    bias_gelu_fusion: false,
    hidden_dropout: pyFloat(0),
    attention_dropout: pyFloat(0),
    // 1 keeps the padded vocabulary equal to the checkpoint's embedding rows for any tp dividing it
    make_vocab_size_divisible_by: 1,
    tokenizer_type: "HFTokenizer",
    vocab_file: plan.spec.init.tokenizer,
    model_parallel_size: plan.layout.tp,
    pipe_parallel_size: plan.layout.pp
  };
}

function precisionConfig(plan: Plan): Record<string, NeoxValue> {
  switch (plan.spec.precision) {
    case "bf16":
      return { precision: "bfloat16", bf16: { enabled: true }, data_types: { grad_accum_dtype: "fp32" } };
    case "fp16":
      return {
        precision: "fp16",
        fp16: { enabled: true, loss_scale: 0, loss_scale_window: 1000, hysteresis: 2, min_loss_scale: 1 }
      };
    case "fp32":
      return { precision: "fp32" };
  }
}

function trainConfig(plan: Plan): NeoxConfig {
  const t = plan.spec.training;
  const l = plan.layout;
  const c = plan.spec.checkpointing;
  return {
    train_iters: t.train_iters,
    ...(t.lr_decay_iters !== undefined ? { lr_decay_iters: t.lr_decay_iters } : {}),
    lr_decay_style: t.decay_style,
    warmup: pyFloat(t.warmup),
    min_lr: pyFloat(t.min_lr),
    train_batch_size: l.globalBatch,
    train_micro_batch_size_per_gpu: l.microBatch,
    gradient_accumulation_steps: l.gradAccum,
    gradient_clipping: pyFloat(t.gradient_clipping),
    weight_decay: pyFloat(t.weight_decay),
    ...precisionConfig(plan),
    zero_optimization: {
      stage: plan.spec.parallelism.zero_stage,
      allgather_partitions: true,
      allgather_bucket_size: 500000000,
      overlap_comm: true,
      reduce_scatter: true,
      reduce_bucket_size: 500000000,
      contiguous_gradients: true
    },
    ...(plan.spec.parallelism.sequence_parallel ? { sequence_parallel: true } : {}),
    checkpoint_activations: plan.spec.model.activation_checkpointing,
    partition_activations: plan.spec.model.activation_checkpointing && l.tp > 1,
    save: c.save,
    checkpoint_factor: c.checkpoint_factor,
    ...(c.keep_last_n !== undefined ? { keep_last_n_checkpoints: c.keep_last_n } : {}),
    log_interval: t.log_interval,
    // TensorBoard scalars (loss, LR, timers) beside the run, for whoever prefers them to our dashboard
    ...(plan.runDir !== null ? { tensorboard_dir: `${plan.runDir}/tensorboard` } : {}),
    // NeoX logs MFU and HFU only when it knows the device's peak (gpt-neox megatron/logging.py, #1331)
    ...(plan.profile.estimates !== undefined
      ? { peak_theoretical_tflops: pyFloat(plan.profile.estimates.peak_tflops_per_device) }
      : {}),
    eval_interval: t.eval_interval,
    eval_iters: t.eval_iters,
    use_wandb: false,
    launcher: "slurm",
    deepspeed_slurm: true,
    no_ssh_check: true,
    master_port: plan.profile.master_port,
    ...(plan.spec.cluster.account !== undefined ? { account: plan.spec.cluster.account } : {})
  };
}

function dataConfig(plan: Plan): NeoxConfig {
  const d = plan.data;
  return {
    train_data_paths: d.entries.map((e) => e.path),
    // rounded so the file stays stable and readable; NeoX renormalises the weights anyway
    train_data_weights: d.entries.map((e) => pyFloat(Number(e.weight.toPrecision(10)))),
    valid_data_paths: d.valid,
    test_data_paths: d.test,
    data_impl: "mmap"
  };
}

function attemptConfig(plan: Plan, attempt: Attempt): NeoxConfig {
  const t = plan.spec.training;
  const init = attempt.load.kind === "init";
  return {
    // attempt 1 starts a fresh schedule on the converted weights; later attempts resume from `save`
    load: init ? plan.spec.init.checkpoint : plan.spec.checkpointing.save,
    finetune: init,
    ...(attempt.load.kind === "resume" && attempt.load.iteration !== undefined
      ? { iteration: attempt.load.iteration }
      : {}),
    seed: attempt.seed ?? t.seed,
    optimizer: {
      type: "Adam",
      params: {
        lr: pyFloat(attempt.lr ?? t.lr),
        betas: [pyFloat(t.adam_betas[0]), pyFloat(t.adam_betas[1])],
        eps: pyFloat(t.adam_eps)
      }
    },
    ...(attempt.lr !== undefined ? { override_lr_scheduler: true } : {}),
    ...(attempt.exitInterval !== undefined ? { exit_interval: attempt.exitInterval } : {}),
    comment: `neoxctl:run=${attempt.runId};attempt=${attempt.index}`
  };
}

export function buildNeoxConfigs(plan: Plan, attempt: Attempt): Record<NeoxFile, NeoxConfig> {
  return {
    model: modelConfig(plan),
    train: trainConfig(plan),
    data: dataConfig(plan),
    attempt: attemptConfig(plan, attempt)
  };
}

/**
 * The attempt file of an in-job restart: the attempt's own settings (LR, seed), loading from `save`
 * as a resume does; the batch script passes the iteration and the moved exit_interval in a file of
 * its own, since NeoX refuses a key given twice across config files.
 */
export function restartConfig(plan: Plan, attempt: Attempt): NeoxConfig {
  // the planned exit moves earlier by the time the restart cost; the script writes it beside the iteration
  const { exit_interval: _planned, ...own } = attemptConfig(plan, { ...attempt, load: { kind: "resume" } });
  return own;
}

/** All files merged, as NeoX sees them after loading (for validation). */
export function mergeNeoxConfigs(files: Record<NeoxFile, NeoxConfig>): NeoxConfig {
  return Object.assign({}, ...NEOX_FILES.map((f) => files[f])) as NeoxConfig;
}

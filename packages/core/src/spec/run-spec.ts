import { z } from "zod";
import { RunAlertsSchema } from "../alerts/severity.ts";
import { ResilienceSchema } from "./resilience.ts";
import type { Resilience } from "./resilience.ts";
import { ModelSchema } from "./model.ts";
import { DataSchema } from "./data.ts";
import { ClusterSizeSchema } from "./cluster-size.ts";
import { SlurmTimeSchema } from "./slurm-time.ts";
import { SlurmWordSchema } from "./slurm-word.ts";
import { AbsolutePathSchema } from "./paths.ts";
import { MfuBandSchema } from "./estimates-profile.ts";

/** Lower-case id usable in job names, paths and Redis keys without quoting. */
export const SafeIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
  error: "must be 1-63 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
});

const posInt = z.number().int().positive();

const GlobalBatchSchema = z
  .union([
    z.object({ sequences: posInt.describe("sequences per optimizer step") }).strict(),
    z
      .object({ tokens: posInt.describe("tokens per optimizer step (must be a multiple of seq_length)") })
      .strict()
  ])
  .describe("global batch per optimizer step: {sequences: N} or {tokens: N}");

const TrainingSchema = z
  .object({
    train_iters: posInt,
    global_batch: GlobalBatchSchema,
    micro_batch: posInt.describe("sequences per GCD per forward pass"),
    seq_length: posInt,
    lr: z.number().positive().max(1),
    min_lr: z.number().min(0).default(0),
    warmup: z
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe("warmup as a fraction of the decay iterations (NeoX semantics)"),
    decay_style: z.enum(["constant", "linear", "cosine", "exponential"]).default("cosine"),
    lr_decay_iters: posInt.optional().describe("iterations the LR decays over (default: train_iters)"),
    weight_decay: z.number().min(0).default(0.1),
    gradient_clipping: z.number().positive().default(1),
    adam_betas: z.tuple([z.number().gt(0).lt(1), z.number().gt(0).lt(1)]).default([0.9, 0.95]),
    adam_eps: z.number().positive().default(0.00000001),
    seed: z.number().int().min(0).default(1234),
    log_interval: posInt.default(10),
    eval_interval: posInt.default(1000),
    eval_iters: posInt.default(10)
  })
  .strict();

const ParallelismSchema = z
  .object({
    tp: posInt.default(1).describe("tensor (model) parallel size"),
    pp: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("pipeline parallel size; 0 = no pipeline engine (NeoX semantics)"),
    zero_stage: z.number().int().min(0).max(3).default(1),
    sequence_parallel: z
      .boolean()
      .default(false)
      .describe(
        "NeoX `sequence_parallel`: shard layer-norm inputs and activations across the tp group (needs tp > 1; LumiOpen's poro2 Llama 3.1 8B on LUMI uses it with tp 2, pp 0)"
      )
  })
  .strict()
  .refine((p) => !p.sequence_parallel || p.tp > 1, {
    path: ["sequence_parallel"],
    message: "has no effect with tp 1 (NeoX shards across the tensor-parallel group): set tp > 1 or drop it"
  });

const CheckpointingSchema = z
  .object({
    save: AbsolutePathSchema.describe("checkpoint directory (absolute); later attempts load from here"),
    checkpoint_factor: posInt.describe("save every this many iterations"),
    keep_last_n: posInt.optional().describe("delete all but the newest N checkpoints")
  })
  .strict();

const InitSchema = z
  .object({
    checkpoint: AbsolutePathSchema.describe(
      "NeoX checkpoint converted from Hugging Face (absolute directory with `latest`)"
    ),
    tokenizer: AbsolutePathSchema.describe("tokenizer.json of the model (HFTokenizer), absolute"),
    tp: posInt
      .optional()
      .describe("tensor-parallel size the checkpoint was converted for (checked against parallelism.tp)"),
    hf_model: AbsolutePathSchema.optional().describe(
      "Hugging Face model directory (config.json, weights, tokenizer.json) to convert into `checkpoint` first: adds the convert step"
    ),
    eod: z
      .object({
        token: z.string().min(1).describe("the tokenizer's end-of-document token, e.g. <|end_of_text|>"),
        id: z.number().int().min(0).describe("its id in the tokenizer")
      })
      .strict()
      .optional()
      .describe(
        "end-of-document token, when the tokenizer is not readable where `neoxctl plan` runs (else read from tokenizer.json)"
      )
  })
  .strict();

const ExportSchema = z
  .object({
    root: AbsolutePathSchema.optional().describe(
      "directory the Hugging Face exports go to, one global_stepN per checkpoint (default: <save>/hf)"
    ),
    iterations: z
      .array(posInt)
      .default([])
      .describe("checkpoint iterations exported besides the final one (each a multiple of checkpoint_factor)")
  })
  .strict()
  .describe("NeoX → Hugging Face export after training: the final checkpoint and the iterations named");

const ClusterRefSchema = z
  .object({
    profile: z.string().min(1).describe("cluster profile name (clusters/<name>.yaml) or path"),
    account: SlurmWordSchema.optional().describe("Slurm account (mandatory on LUMI)"),
    time: SlurmTimeSchema.describe("time limit of each job"),
    time_min: SlurmTimeSchema.optional().describe(
      "shortest acceptable time limit (lets backfill start the job earlier)"
    ),
    size: ClusterSizeSchema
  })
  .strict();

export const RunEstimatesSchema = z
  .object({
    mfu: MfuBandSchema.optional().describe("MFU band for this run, instead of the cluster profile's")
  })
  .strict();

export const RunSpecSchema = z
  .object({
    name: SafeIdSchema.describe("run name; used in job names and paths"),
    team: SafeIdSchema.optional().describe(
      "team that owns the run: the dashboard filters by it and alerts can be routed by it"
    ),
    owner: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, { message: "a user name or e-mail address" })
      .optional()
      .describe(
        "person responsible for the run (user name or e-mail); shown and filterable on the dashboard"
      ),
    model: ModelSchema,
    init: InitSchema,
    data: DataSchema,
    training: TrainingSchema,
    parallelism: ParallelismSchema.default(ParallelismSchema.parse({})),
    precision: z.enum(["bf16", "fp16", "fp32"]).default("bf16"),
    checkpointing: CheckpointingSchema,
    resilience: ResilienceSchema.default(ResilienceSchema.parse({})),
    cluster: ClusterRefSchema,
    estimates: RunEstimatesSchema.optional().describe("overrides of the cluster profile's estimate inputs"),
    export: ExportSchema.default({ iterations: [] }),
    alerts: RunAlertsSchema.optional().describe(
      "where this run's alerts go (else its team's route, else the supervisor's global webhooks)"
    )
  })
  .strict()
  .describe("A neoxctl run spec: one continual pre-training run of GPT-NeoX on a Slurm cluster.");

export type RunSpec = z.infer<typeof RunSpecSchema>;
export type TrainingSpec = z.infer<typeof TrainingSchema>;

/**
 * The resilience policy the supervisor applies to a run. A spike rollback must never lower the LR
 * below training.min_lr: the attempt it renders would fail the planner's `min_lr <= lr` check and
 * the run would stop for a human with "planner refused". So an unset spike.min_lr is the training
 * schedule's own floor; a declared one is kept (the planner already refuses one below it).
 */
export function runResilience(spec: {
  resilience: Resilience;
  training: Pick<RunSpec["training"], "min_lr">;
}): Resilience {
  const r = spec.resilience;
  if (r.spike.min_lr !== undefined || spec.training.min_lr <= 0) return r;
  return { ...r, spike: { ...r.spike, min_lr: spec.training.min_lr } };
}

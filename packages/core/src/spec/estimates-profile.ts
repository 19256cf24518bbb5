import { z } from "zod";
import { AbsolutePathSchema } from "./paths.ts";

/** A fraction in (0, 1]: model FLOPs utilisation. */
const Fraction = z.number().gt(0).max(1);

export const MfuBandSchema = z
  .object({
    low: Fraction.describe("pessimistic model FLOPs utilisation (fraction of peak)"),
    high: Fraction.describe("optimistic model FLOPs utilisation (fraction of peak)")
  })
  .strict()
  .refine((b) => b.low <= b.high, { error: "low must be <= high", path: ["low"] })
  .describe("MFU range the step-time estimate spans");

// Dash et al. 2023 (arXiv:2312.12705, "Optimizing Distributed Training on Frontier for Large Language
// Models") reach 31.96–38.38 % MFU with Megatron-DeepSpeed on MI250X; the low end leaves room for a
// less-tuned stack (ROCm flash-attn, RCCL over Slingshot) — see docs/estimates.md.
const DEFAULT_MFU = { low: 0.25, high: 0.38 };

// Llama 3 (arXiv:2407.21783 §3.3.4): 419 unexpected interruptions in 54 days on 16,384 GPUs
// (2,048 nodes of 8) ≈ 3.8 per 1,000 node-days.
const DEFAULT_NODE_FAILURES = 3.8;

const QuotaSchema = z
  .object({
    path: AbsolutePathSchema.describe("directory the quota covers; files at or below it count against it"),
    tb: z.number().positive().describe("quota in TB (10^12 bytes)")
  })
  .strict();

export const EstimatesProfileSchema = z
  .object({
    peak_tflops_per_device: z
      .number()
      .positive()
      .describe(
        "dense bf16 peak TFLOP/s of one device as NeoX counts devices (one MI250X GCD: 191.5); also NeoX's peak_theoretical_tflops"
      ),
    mfu: MfuBandSchema.default(DEFAULT_MFU),
    billing: z
      .object({
        unit: z.string().min(1).default("GPU-hours").describe("name of the unit the site bills in"),
        per_node_hour: z
          .number()
          .positive()
          .describe("billing units charged per allocated node-hour (LUMI standard-g: 4 GPU-hours)")
      })
      .strict()
      .optional()
      .describe("how the site bills an allocated node-hour; absent: device-hours only"),
    checkpoint_write_gb_s_per_node: z
      .number()
      .positive()
      .default(1.2)
      .describe(
        "checkpoint write bandwidth per writing node, GB/s (prior: BLOOM-176B saved 2.3 TB in 40 s from 48 nodes)"
      ),
    node_failures_per_1000_node_days: z
      .number()
      .positive()
      .default(DEFAULT_NODE_FAILURES)
      .describe("failure-rate prior for the Young/Daly interval (default from Llama 3's 54-day run)"),
    quotas: z
      .array(QuotaSchema)
      .default([])
      .describe("storage quotas the plan checks checkpoints and tokenized data against")
  })
  .strict()
  .describe("Figures `neoxctl plan` estimates cost, time and storage from (docs/estimates.md).");

export type EstimatesProfile = z.infer<typeof EstimatesProfileSchema>;
export type MfuBand = z.infer<typeof MfuBandSchema>;

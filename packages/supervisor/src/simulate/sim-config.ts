import { z } from "zod";
import { ResilienceSchema } from "@neoxctl/core";

const pos = z.number().positive();
const nonneg = z.number().nonnegative();

/**
 * The failure model and costs of a simulated run. Rates default to published large-run reports;
 * every field is a `neoxctl simulate` flag. Sources:
 * - Llama 3 405B (arXiv 2407.21783 §3.3.4, Table 5): 419 unexpected interruptions in 54 days on
 *   2,048 nodes ≈ 3.8 per 1,000 node-days, ~78 % hardware, software bugs 12.9 %.
 * - GLM-130B (github.com/THUDM/GLM-130B logs/main-log-en.md): ~11 node failures on 96 nodes in ~54 days
 *   ≈ 2.1 per 1,000 node-days; OPT-175B (facebookresearch/metaseq projects/OPT/chronicles): "~2
 *   machines go down every day" on 124 hosts ≈ 16 per 1,000 node-days. No LUMI-G rate is published;
 *   the node default (4.8 per 1,000 node-days) sits between these.
 * - BLOOM-176B (bigscience-workshop/bigscience train/tr11-176B-ml/chronicles.md): hand-handled incidents
 *   lost 3–18 h each (7.3 h on the first crash, ~18 h on one hang).
 */
export const FailureModelSchema = z
  .object({
    node_mtbf_h: pos
      .default(5000)
      .describe("mean hours between hardware failures of one node (5000 h ≈ 4.8 per 1,000 node-days)"),
    crash_mtbf_h: pos
      .default(40000)
      .describe(
        "mean node-hours between application crashes (software bugs were 12.9 % of Llama 3's interruptions)"
      ),
    hang_mtbf_h: pos
      .default(40000)
      .describe("mean node-hours between collective hangs (RCCL/libfabric stalls; no published rate)"),
    spikes_per_1000_steps: nonneg
      .default(0.1)
      .describe("loss spikes per 1,000 steps (PaLM 540B: ~20 spikes in its run, arXiv 2204.02311 §5.1)"),
    spike_self_recover: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("fraction of spikes that recover by themselves within the recover window"),
    queue_wait_h: nonneg
      .default(0.5)
      .describe(
        "mean queue wait of a fresh submission (exponential; an assumption, no published LUMI figure)"
      ),
    human_delay_h: nonneg
      .default(6)
      .describe("mean time for a person to notice and act (exponential; BLOOM lost 3–18 h per incident)")
  })
  .strict();
export type FailureModel = z.output<typeof FailureModelSchema>;

/** The run being simulated: from the spec and cluster profile, the step cost from a flag or the plan. */
export const SimRunSchema = z
  .object({
    train_iters: z.number().int().positive(),
    checkpoint_factor: z.number().int().positive(),
    nodes: z.number().int().positive(),
    gpus_per_node: z.number().int().positive(),
    lr: pos.describe("the spec's learning rate (rollbacks lower it, down to the spike policy's min_lr)"),
    step_s: pos.describe("seconds per training step"),
    save_s: nonneg.default(60).describe("one blocking checkpoint save, seconds"),
    startup_s: nonneg.default(300).describe("job start to first iteration, seconds"),
    /** the time a job is sure to get (--time-min where honoured, else --time) */
    limit_s: pos,
    /** how often the supervisor polls Slurm (latency of noticing a job's end) */
    poll_s: nonneg.default(30),
    resilience: ResilienceSchema
  })
  .strict();
export type SimRun = z.output<typeof SimRunSchema>;

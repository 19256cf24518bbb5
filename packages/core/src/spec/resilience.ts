import { z } from "zod";

/**
 * The resilience policy block of a run spec. The supervisor reads it; `plan` only validates it.
 * Defaults are chosen for LUMI-G: 48 h jobs, nodes that fail a few times a week, spikes that
 * rarely recover by themselves (BigScience: "more often than not the training won't recover").
 */
const BudgetsSchema = z
  .object({
    node: z
      .number()
      .int()
      .min(0)
      .default(20)
      .describe("resubmissions after node failures (NODE_FAIL, node DOWN, RCCL/HIP errors naming a node)"),
    timeout: z
      .number()
      .int()
      .min(0)
      .default(100)
      .describe("resumes after TIMEOUT or PREEMPTED (planned endings do not count)"),
    app: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe("retries after application errors (non-zero exit not explained by a node)"),
    spike: z.number().int().min(0).default(5).describe("rollbacks after loss spikes or NaN"),
    hang: z.number().int().min(0).default(10).describe("cancel-and-resume after a hang")
  })
  .strict()
  .describe("How many recoveries of each class the supervisor may perform before it asks a human.");

const SpikePolicySchema = z
  .object({
    enabled: z.boolean().default(true),
    recover_window_steps: z
      .number()
      .int()
      .min(0)
      .default(50)
      .describe("if the loss is back to its pre-spike level within this many steps, record and continue"),
    rollback_min_steps_before: z
      .number()
      .int()
      .min(0)
      .default(100)
      .describe(
        "roll back to the newest complete checkpoint at least this many steps before the spike onset"
      ),
    lr_factor: z
      .number()
      .gt(0)
      .lte(1)
      .default(1 / 3)
      .describe("multiply the LR by this factor on rollback (1/3: 3e-4 -> 1e-4)"),
    change_seed: z
      .boolean()
      .default(false)
      .describe(
        "give the next attempt a new seed so the data order changes (NeoX has no batch-skip key); trades reproducibility for not replaying the same batches"
      ),
    max_rollbacks_per_window: z.number().int().min(1).default(3),
    rollback_window_steps: z.number().int().min(1).default(5000),
    min_lr: z
      .number()
      .positive()
      .optional()
      .describe(
        "never lower the LR below this: a rollback whose LR x lr_factor would fall below it lowers the LR to min_lr exactly; at min_lr, at_min_lr decides. Unset: training.min_lr when that is above 0 (an LR below the schedule's floor would not plan)"
      ),
    // Default rollback_new_seed: PaLM met spikes by restarting ~100 steps before one and skipping
    // 200-500 batches at an unchanged LR, and they did not recur (arXiv 2204.02311, section 5.1);
    // BLOOM's 104B experiments also rolled back and skipped iteration ranges (that divergence came
    // back: bigscience-workshop/bigscience train/tr8b-104B/chronicles.md). NeoX has no batch-skip
    // key, but its seed drives the shuffle of every dataset's sample index (megatron/data/
    // gpt2_dataset.py, _build_index_mappings), so a new seed means other batches after the rollback.
    // Stopping instead leaves the allocation idle until someone reads the alert (hours); the spike
    // budget and max_rollbacks_per_window still bound how often it happens before a human is asked.
    at_min_lr: z
      .enum(["rollback_new_seed", "attention"])
      .default("rollback_new_seed")
      .describe(
        "an unrecovered spike with the LR already at min_lr: rollback_new_seed rolls back at the same LR with a new seed so the data order changes and the spike batches are not replayed (bitwise reproducibility of the run is lost; the event says so); attention stops for a human. The spike budget and max_rollbacks_per_window apply either way"
      )
  })
  .strict();

const HangPolicySchema = z
  .object({
    k: z
      .number()
      .positive()
      .default(10)
      .describe("a hang is no new iteration within k x median step time ..."),
    floor_s: z.number().positive().default(600).describe("... or this many seconds, whichever is larger"),
    startup_grace_s: z
      .number()
      .positive()
      .default(1800)
      .describe("time allowed from job start to the first iteration")
  })
  .strict();

export const SlowdownPolicySchema = z
  .object({
    enabled: z.boolean().default(true),
    factor: z
      .number()
      .gt(1)
      .default(1.5)
      .describe(
        "a step time this many times the run's own recent baseline (or the plan's estimate, when there is one) is slow ..."
      ),
    window_min: z
      .number()
      .positive()
      .default(10)
      .describe(
        "... and a slowdown once it has lasted this many minutes (an RCCL fallback to sockets, a slow node)"
      )
  })
  .strict();

export const ResilienceSchema = z
  .object({
    budgets: BudgetsSchema.default(BudgetsSchema.parse({})),
    crash_loop_limit: z
      .number()
      .int()
      .min(2)
      .default(3)
      .describe("the same step failing this many times in a row means needs_attention, not another retry"),
    bad_node_expiry_h: z
      .number()
      .positive()
      .default(24)
      .describe("an excluded node may be used again after this long, unless blamed twice"),
    spike: SpikePolicySchema.default(SpikePolicySchema.parse({})),
    hang: HangPolicySchema.default(HangPolicySchema.parse({})),
    slowdown: SlowdownPolicySchema.default(SlowdownPolicySchema.parse({})),
    chain_continuations: z
      .boolean()
      .default(true)
      .describe(
        "keep the next attempt queued behind the running one (--dependency=singleton) so a planned ending costs no queue wait"
      ),
    spare_nodes: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        "extra nodes held in each job (--no-kill) so a node failure restarts training inside the same job on a spare instead of resubmitting and waiting in the queue; spares are billed like the nodes that train (0: off, the batch script is as without this key)"
      ),
    max_in_job_restarts: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe(
        "at most this many in-job restarts per job (each needs a spare node left); past it, or with no spare left, the job ends and the supervisor resubmits without the failed node"
      ),
    exit_margin_min: z
      .number()
      .positive()
      .default(30)
      .describe("end each job by itself, with a fresh checkpoint, this many minutes before its time limit")
  })
  .strict();

export type Resilience = z.infer<typeof ResilienceSchema>;

import { z } from "zod";
import { EventTypeSchema, ResilienceSchema } from "@neoxctl/core";
import { RUN_STATES } from "./run-state.ts";
import { GraphRunSchema } from "./graph/graph-state.ts";

// Every record the supervisor keeps in Redis is described here once; the TypeScript types are
// inferred from these schemas, and every read back goes through them (store/decode.ts), so a
// record that is not of its shape is reported as corrupt instead of travelling on as a lie.

/** Recovery classes that each have their own budget in `resilience.budgets`. */
const BUDGET_CLASSES = ["node", "timeout", "app", "spike", "hang"] as const;
export type BudgetClass = (typeof BUDGET_CLASSES)[number];
const BudgetsUsedSchema = z.record(z.enum(BUDGET_CLASSES), z.number().int().nonnegative());
export type BudgetsUsed = z.output<typeof BudgetsUsedSchema>;

export function noBudgetUsed(): BudgetsUsed {
  return { node: 0, timeout: 0, app: 0, spike: 0, hang: 0 };
}

const RunStateSchema = z.enum(RUN_STATES);
const Step = z.number().int().nonnegative();

/** How an attempt starts: fresh (or from the initial checkpoint) or resuming a saved step. */
const AttemptLoadSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("init") }),
  z.object({ kind: z.literal("resume"), iteration: Step.optional() })
]);
export type AttemptLoad = z.output<typeof AttemptLoadSchema>;

/** Why a new attempt exists; `planned` is an exit at exit_interval and spends no budget. */
const AttemptReasonSchema = z.enum(["first", "planned", "manual", ...BUDGET_CLASSES]);
export type AttemptReason = z.output<typeof AttemptReasonSchema>;

/** The parameters that change from one attempt to the next, recorded as a diff. */
export const AttemptParamsSchema = z.object({
  load: AttemptLoadSchema,
  lr: z.number(),
  seed: z.number().int(),
  excludeNodes: z.array(z.string())
});
export type AttemptParams = z.output<typeof AttemptParamsSchema>;

/**
 * `submitting`: intent written; sbatch may or may not have happened (reconcile by tag before
 * submitting).
 */
const AttemptPhaseSchema = z.enum(["submitting", "submitted", "ended"]);
export type AttemptPhase = z.output<typeof AttemptPhaseSchema>;

const ParamChangeSchema = z.object({
  field: z.enum(["load", "lr", "seed", "excludeNodes"]),
  from: z.unknown(),
  to: z.unknown()
});
export type ParamChange = z.output<typeof ParamChangeSchema>;

export const AttemptSchema = z.object({
  index: z.number().int().positive(),
  reason: AttemptReasonSchema,
  params: AttemptParamsSchema,
  /** differences from the previous attempt's params (empty for the first) */
  diff: z.array(ParamChangeSchema),
  phase: AttemptPhaseSchema,
  /** directory holding this attempt's rendered neox/*.yml, job.sbatch, plan.json */
  configDir: z.string(),
  /** the Slurm output file of this attempt */
  logPath: z.string(),
  /**
   * chosen when the record is made, before its sbatch, and carried in the job's comment tag: after
   * a crash only a job with this nonce is this attempt's (worker/own-submission.ts). Absent on
   * records written before nonces existed.
   */
  nonce: z.string().optional(),
  jobId: z.string().optional(),
  /** nodes the job was seen running on */
  nodes: z.array(z.string()).optional(),
  /** Slurm restart count last seen for this job (Slurm's own requeues) */
  restartsSeen: z.number().int().nonnegative(),
  /** the supervisor asked Slurm to cancel this job (hang, spike, guard, user) */
  cancelRequested: z.boolean(),
  createdAt: z.string(),
  endedAt: z.string().optional(),
  endState: z.string().optional(),
  /** log bytes already consumed and acted upon */
  logOffset: z.number().int().nonnegative()
});
export type Attempt = z.output<typeof AttemptSchema>;

const RollbackRecordSchema = z.object({
  /** the attempt that saw the spike; the rollback itself runs as attempt + 1 */
  attempt: z.number().int().positive(),
  onsetStep: Step,
  toStep: Step,
  lrFrom: z.number(),
  lrTo: z.number()
});
export type RollbackRecord = z.output<typeof RollbackRecordSchema>;

/**
 * The serialised spec + profile the planner needs to render further attempts, checked for its
 * stored shape only: the planner's own schemas judge the contents when an attempt is rendered.
 * Loose objects, so nothing the planner wrote is dropped on the way through.
 */
export const PlanInputRecordSchema = z.looseObject({
  spec: z.looseObject({ name: z.string() }),
  profile: z.looseObject({ name: z.string(), access: z.unknown().optional() }),
  manifest: z.looseObject({}),
  repoRoot: z.string().optional()
});
export type PlanInputRecord = z.output<typeof PlanInputRecordSchema>;

export const RunSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  state: RunStateSchema,
  cluster: z.string(),
  runDir: z.string(),
  trainIters: Step,
  resilience: ResilienceSchema,
  /**
   * serialised spec + profile the planner needs to render further attempts; typed `unknown` for
   * the planner's readers, checked on its own against PlanInputRecordSchema by the store
   */
  planInput: z.unknown(),
  /** current parameters (the next attempt starts from these) */
  params: AttemptParamsSchema,
  attempts: z.number().int().nonnegative(),
  budgetsUsed: BudgetsUsedSchema,
  rollbacks: z.array(RollbackRecordSchema),
  /** consecutive application failures at the same step */
  crashLoop: z.object({ step: z.number().int(), count: z.number().int().nonnegative() }).nullable(),
  /** why a human is needed, while in needs_attention */
  attention: z.string().optional(),
  /** keys of one-off notes already recorded (so a restarted supervisor does not repeat them) */
  noted: z.array(z.string()),
  /** after a rollback to `step` at time `since`, checkpoints above `step` older than `since` are abandoned */
  abandoned: z.array(z.object({ step: Step, since: z.number() })),
  /** LR the spec asked for; attempts with another LR override the scheduler */
  specLr: z.number(),
  /** the first attempt loads a pretrained checkpoint */
  initFromCheckpoint: z.boolean(),
  /** the run's job graph and where each step is; absent for a run that is training only */
  graph: GraphRunSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string()
});

export type Run = z.output<typeof RunSchema>;

/** Facts attached to an event so a human can see why the supervisor acted. */
const EvidenceSchema = z.object({
  logLines: z.array(z.string()).optional(),
  slurmState: z.string().optional(),
  jobId: z.string().optional(),
  nodes: z.array(z.string()).optional(),
  checkpoint: z.number().nullable().optional(),
  configDiff: z.array(ParamChangeSchema).optional(),
  detail: z.record(z.string(), z.unknown()).optional()
});
export type Evidence = z.output<typeof EvidenceSchema>;

export const RunEventSchema = z.object({
  type: EventTypeSchema,
  time: z.string(),
  cause: z.string(),
  attempt: z.number().int().positive().optional(),
  from: RunStateSchema.optional(),
  to: RunStateSchema.optional(),
  evidence: EvidenceSchema,
  /** who asked for it, for events that carry out a human's command (`cli:alice`, `dashboard:oncall`) */
  actor: z.string().optional()
});
export type RunEvent = z.output<typeof RunEventSchema>;

/** An event as read back from the stream, with its stream id. */
export type StoredEvent = RunEvent & { id: string };

/** A node blamed for a failure of one run, kept out of its attempts for a while or for good. */
export const BadNodeSchema = z.object({
  node: z.string().min(1),
  blamed: z.number().int().positive(),
  /** epoch ms after which the node may be used again; null = kept out for good (blamed twice) */
  until: z.number().nullable(),
  lastCause: z.string()
});
export type BadNode = z.output<typeof BadNodeSchema>;

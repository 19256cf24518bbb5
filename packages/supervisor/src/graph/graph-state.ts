import { z } from "zod";
import { JobGraphSchema } from "@neoxctl/core";
import type { JobGraph } from "@neoxctl/core";

/**
 * Where each step of a run's job graph is, kept in the run record (and read back through RunSchema
 * like everything else). The graph itself (plan.json's `graph`) is stored beside it, so the
 * supervisor never re-plans to learn what a step is.
 */

export const STEP_STATES = [
  "pending",
  "submitted",
  "running",
  "done",
  "skipped",
  "failed",
  "needs_attention",
  // outside the run's selection (`--only`, or training before `--from export`): never run, never checked
  "not_selected"
] as const;
export type StepState = (typeof STEP_STATES)[number];

/** One array task (a non-array step has one task, index 0). */
export const TASK_STATES = ["pending", "queued", "running", "done", "failed"] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TaskRecordSchema = z.object({
  index: z.number().int().nonnegative(),
  state: z.enum(TASK_STATES),
  /** submissions of this task so far (the first one included) */
  attempts: z.number().int().nonnegative(),
  /** the Slurm job of its latest submission (an array's own id; the task is `<jobId>_<index>`) */
  jobId: z.string().optional(),
  nodes: z.array(z.string()).optional(),
  /** nodes this task is kept away from after a node failure */
  excludeNodes: z.array(z.string()),
  /** Slurm's end state of its latest submission */
  endState: z.string().optional()
});
export type TaskRecord = z.output<typeof TaskRecordSchema>;

/**
 * An sbatch of this step the supervisor decided and recorded before sending it: its nonce goes into
 * the job's comment tag, so after a crash the job is found by it (worker/own-submission.ts) and
 * adopted, or, when Slurm has none, the submission is sent then. Cleared once the job id is recorded.
 */
export const StepSubmissionSchema = z.object({
  nonce: z.string().regex(/^[0-9A-Za-z]+$/),
  tasks: z.array(z.number().int().nonnegative()),
  afterOk: z.array(z.string()),
  exclude: z.array(z.string()),
  retry: z.boolean(),
  cause: z.string()
});
export type StepSubmission = z.output<typeof StepSubmissionSchema>;

export const StepRecordStateSchema = z.object({
  id: z.string().min(1),
  state: z.enum(STEP_STATES),
  /** every Slurm job submitted for this step, oldest first */
  jobIds: z.array(z.string()),
  tasks: z.array(TaskRecordSchema),
  /**
   * jobs of this step with a task that failed: Slurm never satisfies an `afterok` on them, so a
   * dependent waits for their other tasks to finish instead of queueing behind them
   */
  brokenJobs: z.array(z.string()).default([]),
  /** run it even if its records verify: asked for (`from`/`only`) or an upstream step ran again */
  rerun: z.boolean(),
  /** why it stopped, while failed or needs_attention */
  attention: z.string().optional(),
  /** submissions recorded but whose job id is not (yet): a crash may have come between */
  submitting: z.array(StepSubmissionSchema).default([])
});
export type StepRecordState = z.output<typeof StepRecordStateSchema>;

export const GraphRunSchema = z.object({
  graph: JobGraphSchema,
  steps: z.array(StepRecordStateSchema),
  /** `--only <step>`: the one step that runs; the steps it needs must verify, the others are not selected */
  only: z.string().optional(),
  /** `--from <step>`: it and every step after it run; the steps they need must verify */
  from: z.string().optional()
});
export type GraphRun = z.output<typeof GraphRunSchema>;

/** Which part of the graph a run executes: all of it, from one step on, or one step only. */
export type GraphSelection = { from?: string; only?: string };

/** The ids of `from` and every step downstream of it. */
export function downstreamOf(graph: JobGraph, id: string): Set<string> {
  const out = new Set<string>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of graph.steps)
      if (!out.has(s.id) && s.dependsOn.some((d) => out.has(d))) {
        out.add(s.id);
        grew = true;
      }
  }
  return out;
}

/**
 * The steps a selection runs (`only`: that one; `from`: it and what follows), the ones they need,
 * and the rest. Undefined without a selection: then every step runs unless its records verify.
 * A needed step must verify by its records before anything that reads it is submitted. Training
 * outside the selection has no record: it is not selected and what it needs is not looked at
 * (`export` checks the checkpoint it reads itself, exit 3 naming the file). Every other step
 * outside the selection is not selected: never run, never checked.
 */
export function selectionOf(
  graph: JobGraph,
  sel: GraphSelection
): { runs: Set<string>; needed: Set<string>; notSelected: Set<string> } | undefined {
  const runs = sel.only ? new Set([sel.only]) : sel.from ? downstreamOf(graph, sel.from) : undefined;
  if (!runs) return undefined;
  const byId = new Map(graph.steps.map((s) => [s.id, s]));
  const needed = new Set<string>();
  const visit = (id: string): void => {
    for (const d of byId.get(id)?.dependsOn ?? []) {
      if (runs.has(d) || needed.has(d) || byId.get(d)?.kind === "train") continue;
      needed.add(d);
      visit(d);
    }
  };
  runs.forEach(visit);
  const notSelected = new Set(
    graph.steps.filter((s) => !runs.has(s.id) && !needed.has(s.id)).map((s) => s.id)
  );
  return { runs, needed, notSelected };
}

/** The initial graph state of a new run: every step pending, `rerun` where the selection asks for it. */
export function initialGraphRun(graph: JobGraph, sel: GraphSelection = {}): GraphRun {
  const chosen = selectionOf(graph, sel);
  return {
    graph,
    ...(sel.only ? { only: sel.only } : {}),
    ...(sel.from && !sel.only ? { from: sel.from } : {}),
    steps: graph.steps.map((s) => ({
      id: s.id,
      state: chosen?.notSelected.has(s.id) === true ? "not_selected" : "pending",
      jobIds: [],
      brokenJobs: [],
      tasks: Array.from({ length: s.array?.tasks ?? 1 }, (_, index) => ({
        index,
        state: "pending",
        attempts: 0,
        excludeNodes: []
      })),
      rerun: chosen?.runs.has(s.id) === true,
      submitting: []
    }))
  };
}

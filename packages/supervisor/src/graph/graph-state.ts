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
  "needs_attention"
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
  attention: z.string().optional()
});
export type StepRecordState = z.output<typeof StepRecordStateSchema>;

export const GraphRunSchema = z.object({
  graph: JobGraphSchema,
  steps: z.array(StepRecordStateSchema),
  /** `--only <step>`: the one step that runs; every other step's records must verify */
  only: z.string().optional()
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

/** The initial graph state of a new run: every step pending, `rerun` where the selection asks for it. */
export function initialGraphRun(graph: JobGraph, sel: GraphSelection = {}): GraphRun {
  const forced = sel.only
    ? new Set([sel.only])
    : sel.from
      ? downstreamOf(graph, sel.from)
      : new Set<string>();
  return {
    graph,
    ...(sel.only ? { only: sel.only } : {}),
    steps: graph.steps.map((s) => ({
      id: s.id,
      state: "pending",
      jobIds: [],
      brokenJobs: [],
      tasks: Array.from({ length: s.array?.tasks ?? 1 }, (_, index) => ({
        index,
        state: "pending",
        attempts: 0,
        excludeNodes: []
      })),
      rerun: forced.has(s.id)
    }))
  };
}

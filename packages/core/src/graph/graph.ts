import { z } from "zod";
import { AbsolutePathSchema, isRelativeNormalPath } from "../spec/paths.ts";

/**
 * The job graph of one run: convert → tokenize → merge → train → export. `neoxctl plan` writes it
 * into plan.json (`graph`), one script per step under the run directory; the supervisor submits the
 * steps as their dependencies succeed (Slurm `afterok`) and reads each step's record back.
 *
 * Contract between a step script and the supervisor:
 * - a step script is standalone and idempotent: it writes its outputs under temporary names, checks
 *   them, renames them into place, and only then writes its record (`record`), also via rename;
 * - a record that exists, parses as {@link StepRecordSchema} and passes {@link verifyStepOutputs}
 *   means the step (or array task) is done; anything else means it is not.
 * - array steps: `record` contains `%a`, replaced by the task index (0 … tasks-1), as in Slurm's
 *   own filename patterns; every task writes its own record. Outputs carry the `task` that writes them.
 */

export const GRAPH_STEP_KINDS = ["convert", "tokenize", "merge", "train", "export"] as const;
export const GraphStepKindSchema = z.enum(GRAPH_STEP_KINDS);
export type GraphStepKind = z.infer<typeof GraphStepKindSchema>;

export const GRAPH_OUTPUT_KINDS = ["file", "dir", "neox_prefix", "neox_checkpoint", "hf_checkpoint"] as const;

export const GraphOutputSchema = z
  .object({
    path: AbsolutePathSchema.describe(
      "absolute path; for neox_prefix the data prefix without .bin/.idx (both files are the output)"
    ),
    kind: z.enum(GRAPH_OUTPUT_KINDS),
    task: z.number().int().min(0).optional().describe("array steps: the task index that writes this output")
  })
  .strict();
export type GraphOutput = z.infer<typeof GraphOutputSchema>;

const ARRAY_TASK = "%a";

export const GraphStepSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: "must be 1-32 characters of a-z, 0-9, _ or -" }),
    kind: GraphStepKindSchema,
    script: z
      .string()
      .refine(isRelativeNormalPath, { error: "must be a path relative to the run directory" })
      .optional()
      .describe("batch script relative to the run directory (absent for train: its attempts)"),
    dependsOn: z.array(z.string()).describe("ids of steps that must succeed first (afterok)"),
    partition: z.string().min(1),
    array: z
      .object({
        tasks: z.number().int().min(1),
        maxConcurrent: z.number().int().min(1).describe("Slurm's %N limit on tasks running at once")
      })
      .strict()
      .optional(),
    outputs: z.array(GraphOutputSchema),
    record: AbsolutePathSchema.describe(
      "the step's output record (JSON); array steps: contains %a, replaced by the task index"
    ),
    retry: z.object({ maxAttempts: z.number().int().min(1) }).strict(),
    skip: z.boolean().default(false).describe("true when the plan found the step's records verified")
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind !== "train" && s.script === undefined)
      ctx.addIssue({ code: "custom", path: ["script"], message: `a ${s.kind} step needs a script` });
    const isArray = s.array !== undefined;
    if (isArray !== s.record.includes(ARRAY_TASK))
      ctx.addIssue({
        code: "custom",
        path: ["record"],
        message: isArray ? "an array step's record must contain %a" : "only array steps may use %a"
      });
    s.outputs.forEach((o, i) => {
      if (isArray && (o.task === undefined || o.task >= (s.array?.tasks ?? 0)))
        ctx.addIssue({
          code: "custom",
          path: ["outputs", i, "task"],
          message: "an array step's output must name a task index below array.tasks"
        });
      if (!isArray && o.task !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["outputs", i, "task"],
          message: "only array steps have tasks"
        });
    });
  });
export type GraphStep = z.infer<typeof GraphStepSchema>;

function findCycle(steps: readonly GraphStep[]): string[] | undefined {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const st = state.get(id);
    if (st === "done") return undefined;
    if (st === "open") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "open");
    stack.push(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const s of steps) {
    const cycle = visit(s.id);
    if (cycle) return cycle;
  }
  return undefined;
}

export const JobGraphSchema = z
  .object({ steps: z.array(GraphStepSchema) })
  .strict()
  .superRefine((g, ctx) => {
    const seen = new Set<string>();
    g.steps.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({ code: "custom", path: ["steps", i, "id"], message: `duplicate step id ${s.id}` });
      seen.add(s.id);
    });
    g.steps.forEach((s, i) => {
      s.dependsOn.forEach((d, j) => {
        if (!seen.has(d))
          ctx.addIssue({
            code: "custom",
            path: ["steps", i, "dependsOn", j],
            message: `unknown step ${d}`
          });
      });
    });
    const cycle = findCycle(g.steps);
    if (cycle)
      ctx.addIssue({ code: "custom", path: ["steps"], message: `dependency cycle: ${cycle.join(" → ")}` });
  })
  .describe("The run's steps and their afterok dependencies (acyclic).");
export type JobGraph = z.infer<typeof JobGraphSchema>;

/** One file a step wrote, with its size as the step measured it after the rename. */
const RecordFileSchema = z.object({ path: AbsolutePathSchema, bytes: z.number().int().min(0) }).strict();

export const StepRecordSchema = z
  .object({
    version: z.literal(1),
    step: z.string().min(1),
    task: z.number().int().min(0).optional().describe("array task index (array steps only)"),
    outputs: z.array(
      z
        .object({
          path: AbsolutePathSchema.describe("the output as the graph names it"),
          kind: z.enum(GRAPH_OUTPUT_KINDS),
          files: z.array(RecordFileSchema).min(1).describe("every file of the output, with its size"),
          documents: z.number().int().min(0).optional().describe("neox_prefix: documents in the .idx"),
          tokens: z.number().int().min(0).optional().describe("neox_prefix: tokens in the .idx")
        })
        .strict()
    ),
    finishedAt: z.iso.datetime({ offset: true })
  })
  .strict()
  .describe("What a step script writes once its outputs are in place and checked.");
export type StepRecord = z.infer<typeof StepRecordSchema>;

/** The record path of one task of a step (`%a` replaced); non-array steps ignore `task`. */
export function recordPathFor(step: GraphStep, task?: number): string {
  if (step.array === undefined) return step.record;
  if (task === undefined) throw new RangeError(`step ${step.id} is an array: a task index is needed`);
  return step.record.replaceAll(ARRAY_TASK, String(task));
}

/** The task indices of a step: [0 … tasks-1] for arrays, [undefined] otherwise. */
export function taskIndices(step: GraphStep): (number | undefined)[] {
  return step.array === undefined ? [undefined] : Array.from({ length: step.array.tasks }, (_, i) => i);
}

/** The outputs one task (or the whole non-array step) must produce. */
export function outputsOfTask(step: GraphStep, task?: number): GraphOutput[] {
  return step.array === undefined ? step.outputs : step.outputs.filter((o) => o.task === task);
}

/** Files that must exist for an output, whatever else the record lists (checkpoints: their dir). */
export function requiredFiles(output: GraphOutput): string[] {
  switch (output.kind) {
    case "neox_prefix":
      return [`${output.path}.bin`, `${output.path}.idx`];
    case "file":
      return [output.path];
    case "dir":
    case "neox_checkpoint":
    case "hf_checkpoint":
      return [];
  }
}

export interface StepVerification {
  ok: boolean;
  /** one line per problem, naming the file or field */
  problems: string[];
}

/**
 * Checks one task's record against the graph and, when given, the sizes observed on the cluster now
 * (path → bytes, or undefined when the file is missing). Pure: the caller reads the record and stats
 * the files (`recordFiles`) however it reaches the cluster. A record is accepted only when it names
 * this step and task, lists every expected output with non-empty files, and — with `observed` — every
 * listed file still has the size recorded.
 */
export function verifyStepOutputs(
  step: GraphStep,
  task: number | undefined,
  record: unknown,
  observed?: ReadonlyMap<string, number | undefined>
): StepVerification {
  const problems: string[] = [];
  const where = recordPathFor(step, task);
  const parsed = StepRecordSchema.safeParse(record);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      problems: [`${where}: not a step record (${first ? `${first.path.join(".")}: ${first.message}` : "?"})`]
    };
  }
  const r = parsed.data;
  if (r.step !== step.id) problems.push(`${where}: record is for step ${r.step}, not ${step.id}`);
  if (r.task !== task) problems.push(`${where}: record is for task ${String(r.task)}, not ${String(task)}`);
  for (const out of outputsOfTask(step, task)) {
    const got = r.outputs.find((o) => o.path === out.path);
    if (got === undefined) {
      problems.push(`${where}: output ${out.path} is not recorded`);
      continue;
    }
    if (got.kind !== out.kind) problems.push(`${out.path}: recorded as ${got.kind}, expected ${out.kind}`);
    const listed = new Set(got.files.map((f) => f.path));
    for (const need of requiredFiles(out))
      if (!listed.has(need)) problems.push(`${need}: missing from the record`);
    for (const f of got.files) {
      if (f.bytes === 0) problems.push(`${f.path}: recorded empty`);
      if (observed === undefined) continue;
      const now = observed.get(f.path);
      if (now === undefined) problems.push(`${f.path}: missing on the cluster`);
      else if (now !== f.bytes) problems.push(`${f.path}: ${now} bytes now, ${f.bytes} recorded`);
    }
    if (out.kind === "neox_prefix" && (got.documents ?? 0) === 0)
      problems.push(`${out.path}: no documents recorded`);
  }
  return { ok: problems.length === 0, problems };
}

/** Every file a record lists: what the supervisor stats to build `observed`. */
export function recordFiles(record: StepRecord): string[] {
  return record.outputs.flatMap((o) => o.files.map((f) => f.path));
}

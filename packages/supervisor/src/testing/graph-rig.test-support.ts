import { recordPathFor } from "@neoxctl/core";
import type { GraphStep, JobGraph } from "@neoxctl/core";
import type { Rig } from "./rig.test-support.ts";

/**
 * Drives a rig's job graph by hand: what a step script leaves behind, and which fake Slurm job a
 * step's newest submission is. For tests outside the graph's own (goodput over a recorded graph run).
 */

/** What a step script leaves behind for one task: its outputs, then its record. */
export function finishStep(r: Rig, graph: JobGraph, id: string, task: number): void {
  const def = graph.steps.find((s) => s.id === id)!;
  const idx = def.array ? task : undefined;
  const outs = def.array ? def.outputs.filter((o) => o.task === task) : def.outputs;
  const outputs = outs.map((o) => {
    const files = o.kind === "neox_prefix" ? [`${o.path}.bin`, `${o.path}.idx`] : [`${o.path}/model.pt`];
    for (const f of files) r.exec.append(f, "data");
    return {
      path: o.path,
      kind: o.kind,
      files: files.map((path) => ({ path, bytes: 4 })),
      ...(o.kind === "neox_prefix" ? { documents: 2, tokens: 8 } : {})
    };
  });
  const record = {
    version: 1,
    step: id,
    ...(idx !== undefined ? { task } : {}),
    outputs,
    finishedAt: "2025-01-01T00:00:00Z"
  };
  void r.exec.writeFile(recordPathFor(def as GraphStep, idx), JSON.stringify(record));
}

/** The fake Slurm job id of a step's newest submission. */
export function stepJob(r: Rig, id: string): string {
  const jobs = [...r.slurm.stepJobs].filter(([, j]) => j.input.scriptPath.endsWith(`/steps/${id}.sbatch`));
  const last = jobs.at(-1);
  if (!last) throw new Error(`no job for step ${id}`);
  return last[0];
}

/** Ends every task of a step's newest job COMPLETED and writes their records. */
export function completeStep(r: Rig, graph: JobGraph, id: string): void {
  const job = stepJob(r, id);
  const def = graph.steps.find((s) => s.id === id)!;
  const tasks = def.array ? Array.from({ length: def.array.tasks }, (_, i) => i) : [0];
  for (const t of tasks) {
    r.slurm.setTask(def.array ? `${job}_${t}` : job, "COMPLETED");
    finishStep(r, graph, id, t);
  }
}

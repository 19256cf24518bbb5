import type { Executor } from "@neoxctl/exec";
import type { Run } from "../model.ts";

export interface CheckpointFound {
  iteration: number;
  mtimeMs: number;
}

/**
 * Complete checkpoints under the save directory: `global_stepN/` whose `configs/` directory exists
 * and is not empty (NeoX writes it last, after `latest`, so `latest` alone proves nothing).
 */
export async function listCompleteCheckpoints(exec: Executor, saveDir: string): Promise<CheckpointFound[]> {
  // file mtimes, not the directory's: a checkpoint rewritten after a rollback keeps its directory
  const r = await exec.run(["find", saveDir, "-mindepth", "3", "-maxdepth", "3", "-type", "f", "-path", "*/global_step*/configs/*", "-printf", "%h %T@\\n"]);
  if (r.exitCode !== 0 && !r.stdout) return [];
  const newest = new Map<number, number>();
  for (const line of r.stdout.split("\n")) {
    const m = /\/global_step(\d+)\/configs ([\d.]+)$/.exec(line.trim());
    if (m) newest.set(Number(m[1]), Math.max(newest.get(Number(m[1])) ?? 0, Number(m[2]) * 1000));
  }
  return [...newest].map(([iteration, mtimeMs]) => ({ iteration, mtimeMs })).sort((a, b) => a.iteration - b.iteration);
}

/** Drops checkpoints of an abandoned timeline: saved above a rollback point before that rollback. */
export function validForTimeline(run: Pick<Run, "abandoned">, found: readonly CheckpointFound[]): number[] {
  return found.filter((c) => !run.abandoned.some((a) => c.iteration > a.step && c.mtimeMs < a.since)).map((c) => c.iteration);
}

export function saveDirOf(run: Run): string {
  return (run.planInput as { spec: { checkpointing: { save: string } } }).spec.checkpointing.save;
}

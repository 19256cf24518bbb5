import type { RunGoodput } from "@neoxctl/supervisor";

/**
 * The goodput line of `neoxctl status`: effective training time over the whole wall clock, the
 * same over the training part when a job graph's steps took time, then (in detail) the steps' time
 * and what was lost, largest first. The steps are not "lost": they are work the run needed.
 */
export function describeGoodput(g: RunGoodput, detail: boolean): string | undefined {
  if (g.ett === undefined) return undefined;
  const steps = g.split.workflow_steps;
  const part =
    steps > 0 && g.ettTraining !== undefined ? ` (${pct(g.ettTraining)} of the training part)` : "";
  const head = `effective training time ${pct(g.ett)} of ${hours(g.wallS)}${part}`;
  if (!detail) return head;
  const lost = Object.entries(g.split)
    .filter(([k, v]) => k !== "productive" && k !== "workflow_steps" && v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${hours(v)}`);
  return [
    head,
    ...(steps > 0 ? [`workflow steps ${hours(steps)}`] : []),
    ...(lost.length ? [`lost: ${lost.join(", ")}`] : [])
  ].join("; ");
}

/** The goodput fields of a run in `status --json`'s list (the one-run form prints the whole split). */
export function goodputSummary(g: RunGoodput): {
  effectiveTrainingTime: number | null;
  effectiveTrainingTimeTrainingPart: number | null;
  workflowStepsS: number;
} {
  return {
    effectiveTrainingTime: g.ett ?? null,
    effectiveTrainingTimeTrainingPart: g.ettTraining ?? null,
    workflowStepsS: g.split.workflow_steps
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

function hours(s: number): string {
  return s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${(s / 60).toFixed(0)} min`;
}

import type { RunSummary } from "../model/read-model.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import { formatDuration } from "./format.ts";

/**
 * Effective training time over the whole wall clock, over the training part when a job graph's
 * steps took time (docs/goodput.md), the steps' own time, then what was lost, largest first. The
 * steps are not listed as lost: the run needed them.
 */
export function renderGoodput(run: RunSummary): SafeHtml {
  const g = run.goodput;
  if (!g || g.ett === undefined) return html``;
  const steps = g.split["workflow_steps"] ?? 0;
  const losses = Object.entries(g.split)
    .filter(([k, v]) => k !== "productive" && k !== "workflow_steps" && v > 0)
    .sort((a, b) => b[1] - a[1]);
  // the training part's share says something only when the steps took time
  const part = steps > 0 ? g.ettTraining : undefined;
  return html`<p id="goodput" data-ett="${g.ett.toFixed(4)}" data-ett-training="${part?.toFixed(4) ?? ""}">
    effective training time <strong>${(g.ett * 100).toFixed(1)} %</strong> of ${formatDuration(g.wallS)}
    ${part !== undefined ? html`(${(part * 100).toFixed(1)} % of the training part)` : ""}
    ${steps > 0 ? html` · workflow steps <span data-workflow-steps="${steps.toFixed(0)}">${formatDuration(steps)}</span>` : ""}
    ${losses.length ? html` · lost: ${losses.map(([k, v], i) => html`${i ? ", " : ""}${k.replace("_", " ")} ${formatDuration(v)}`)}` : ""}
  </p>`;
}

import type { StepView } from "../model/read-model.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";

/** A bar of tasks done out of the step's total, so a long tokenize array shows its progress. */
function progressBar(s: StepView): SafeHtml {
  const pct = s.total ? Math.round((s.done / s.total) * 100) : 0;
  return html`<div style="position:relative;height:10px;background:#eef;min-width:6em">
    <div
      style="position:absolute;left:0;width:${pct}%;height:10px;background:${s.state === "needs_attention" ? "#c0392b" : "#2e86ab"}"
    ></div>
  </div>`;
}

/**
 * The run's job graph as a table (one row per step in dependency order: state, tasks done/total,
 * retries, Slurm jobs). Nothing for a run that is training only.
 */
export function renderSteps(steps: readonly StepView[] | undefined): SafeHtml {
  if (!steps?.length) return html``;
  // a run with --only/--from: the steps outside it never run, and the heading says so
  const notSelected = steps.filter((s) => s.state === "not_selected").length;
  return html`<section id="steps">
    <h2>
      Job graph (${steps.filter((s) => s.state === "done" || s.state === "skipped").length}/${steps.length}
      steps done${notSelected ? `, ${notSelected} not selected` : ""})
    </h2>
    <table>
      <thead>
        <tr>
          <th>step</th>
          <th>kind</th>
          <th>after</th>
          <th>state</th>
          <th>tasks</th>
          <th></th>
          <th>retries</th>
          <th>Slurm jobs</th>
        </tr>
      </thead>
      <tbody>
        ${steps.map(
          (s) =>
            html`<tr data-step="${s.id}" data-state="${s.state}">
              <td>${s.id}</td>
              <td>${s.kind}</td>
              <td>${s.dependsOn.join(", ") || "—"}</td>
              <td class="state-${s.state}">
                ${s.state}${s.attention ? html`<div class="wrap muted">${s.attention}</div>` : ""}
              </td>
              <td>${s.done}/${s.total}${s.running ? html` (${s.running} running)` : ""}</td>
              <td style="width:20%">${progressBar(s)}</td>
              <td>${s.retries || "—"}</td>
              <td class="wrap">${s.jobIds.join(", ") || "—"}</td>
            </tr>`
        )}
      </tbody>
    </table>
  </section>`;
}

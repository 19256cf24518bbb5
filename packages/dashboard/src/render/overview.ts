import type { RunStateView, RunSummary } from "../model/read-model.ts";
import { RUN_STATE_VIEWS } from "../model/read-model.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import { etaSeconds, formatCount, formatDuration, formatLoss, formatTime, tokensDone } from "./format.ts";
import { renderLayout } from "./layout.ts";
import { rcclBadge } from "./network-badge.ts";

const RANK = new Map<RunStateView, number>(RUN_STATE_VIEWS.map((s, i) => [s, i]));

/** Runs needing a human first, then by how alarming the state is, then most recently changed. */
function orderRuns(runs: readonly RunSummary[]): RunSummary[] {
  return [...runs].sort(
    (a, b) =>
      (RANK.get(a.state) ?? 99) - (RANK.get(b.state) ?? 99) ||
      b.updatedAt.localeCompare(a.updatedAt) ||
      a.id.localeCompare(b.id)
  );
}

/** A run whose records could not be read: its id and what failed, no guesses at the rest. */
function unreadableRow(run: RunSummary): SafeHtml {
  return html`<tr class="state-unreadable" data-run-id="${run.id}" data-state="unreadable">
    <td>
      <a href="/runs/${encodeURIComponent(run.id)}">${run.id}</a>
    </td>
    <td>
      <span class="badge unreadable">unreadable</span>
      <div class="wrap muted">${run.unreadable ?? ""}</div>
    </td>
    <td colspan="7" class="muted">stored records could not be read; see the supervisor's log</td>
  </tr>`;
}

function row(run: RunSummary): SafeHtml {
  if (run.state === "unreadable") return unreadableRow(run);
  const tokens = tokensDone(run);
  const eta = etaSeconds(run);
  const pct = run.trainIters > 0 ? Math.min(100, (100 * run.step) / run.trainIters) : 0;
  return html`<tr class="state-${run.state}" data-run-id="${run.id}" data-state="${run.state}">
    <td>
      <a href="/runs/${encodeURIComponent(run.id)}">${run.name}</a>
      <div class="muted">${run.id}</div>
    </td>
    <td>
      <span class="badge ${run.state}">${run.state}</span
      >${rcclBadge(run)}${run.attention ? html`<div class="wrap muted">${run.attention}</div>` : ""}
    </td>
    <td>${run.step} / ${run.trainIters} <span class="muted">(${pct.toFixed(1)}%)</span></td>
    <td>${tokens === undefined ? "—" : formatCount(tokens)}</td>
    <td>${eta === undefined ? "—" : formatDuration(eta)}</td>
    <td>${run.attempt}${run.jobId ? html` <span class="muted">job ${run.jobId}</span>` : ""}</td>
    <td data-last-loss>${formatLoss(run.lastLoss)}</td>
    <td>${run.cluster}</td>
    <td class="muted">${formatTime(run.updatedAt)}</td>
  </tr>`;
}

/** The part of the overview that live updates replace. */
export function renderRunsRegion(runs: readonly RunSummary[]): SafeHtml {
  if (runs.length === 0) {
    return html`<div class="empty" id="empty-state">
      <h2>No runs yet</h2>
      <p>
        Submit one with <code>neoxctl submit &lt;spec.yaml&gt; --cluster &lt;cluster&gt;</code>; it appears
        here as soon as the supervisor records it.
      </p>
    </div>`;
  }
  const ordered = orderRuns(runs);
  const attention = ordered.filter((r) => r.state === "needs_attention" || r.state === "unreadable").length;
  return html`<p id="runs-count" data-count="${ordered.length}" data-attention="${attention}">
      ${ordered.length} runs, ${attention} need attention
    </p>
    <table id="runs">
      <thead>
        <tr>
          <th>run</th>
          <th>state</th>
          <th>step / train_iters</th>
          <th>tokens</th>
          <th>ETA</th>
          <th>attempt</th>
          <th>last loss</th>
          <th>cluster</th>
          <th>updated</th>
        </tr>
      </thead>
      <tbody>
        ${ordered.map(row)}
      </tbody>
    </table>`;
}

export function renderOverview(runs: readonly RunSummary[]): string {
  return renderLayout({
    title: "Runs",
    body: html`<div id="runs-region" data-fragment="/fragments/runs">${renderRunsRegion(runs)}</div>`,
    scripts: ["/static/live.js"]
  });
}

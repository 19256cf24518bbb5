import type { AttemptView } from "../model/read-model.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import { formatDuration, formatTime } from "./format.ts";

function durationSeconds(a: AttemptView, now: Date): number {
  const end = a.endedAt ? Date.parse(a.endedAt) : now.getTime();
  return Math.max(0, (end - Date.parse(a.createdAt)) / 1000);
}

/** A table with a proportional bar per attempt, so gaps (queue waits) and long attempts stand out. */
export function renderAttempts(attempts: readonly AttemptView[], now: Date): SafeHtml {
  const starts = attempts.map((a) => Date.parse(a.createdAt)).filter(Number.isFinite);
  const t0 = starts.length ? Math.min(...starts) : now.getTime();
  const ends = attempts.map((a) => (a.endedAt ? Date.parse(a.endedAt) : now.getTime()));
  const span = Math.max(1, (ends.length ? Math.max(...ends) : now.getTime()) - t0);
  const rows = attempts.map((a) => {
    const left = ((Date.parse(a.createdAt) - t0) / span) * 100;
    const width = Math.max(0.5, ((durationSeconds(a, now) * 1000) / span) * 100);
    return html`<tr
      data-attempt="${a.index}"
      data-job-id="${a.jobId ?? ""}"
      data-end-state="${a.endState ?? ""}"
    >
      <td>${a.index}</td>
      <td>${a.reason}</td>
      <td>${a.jobId ?? "—"}</td>
      <td class="wrap">${a.nodes.join(", ") || "—"}</td>
      <td class="wrap">${a.excludeNodes.join(", ") || "—"}</td>
      <td>${a.lr.toExponential(2)}</td>
      <td>${a.loadStep ?? "init"}</td>
      <td>${a.phase}${a.endState ? html` / ${a.endState}` : ""}</td>
      <td>${formatTime(a.createdAt)}</td>
      <td>${formatDuration(durationSeconds(a, now))}</td>
      <td style="width:25%">
        <div style="position:relative;height:10px;background:#eef">
          <div
            class="bar ${a.endState ?? "live"}"
            style="position:absolute;left:${left.toFixed(2)}%;width:${width.toFixed(2)}%;height:10px;background:${a.endedAt ? "#8aa" : "#2e86ab"}"
          ></div>
        </div>
      </td>
    </tr>`;
  });
  return html`<section id="attempts">
    <h2>Attempts (${attempts.length})</h2>
    ${
      attempts.length === 0
        ? html`<p class="muted">no attempt yet</p>`
        : html`<table>
            <thead>
              <tr>
                <th>#</th>
                <th>reason</th>
                <th>Slurm job</th>
                <th>nodes</th>
                <th>excluded</th>
                <th>LR</th>
                <th>load</th>
                <th>phase / exit</th>
                <th>started</th>
                <th>duration</th>
                <th>timeline</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }
  </section>`;
}

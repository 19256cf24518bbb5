import type { AttemptView, EventView, ExcludedNode, RunSummary } from "../model/read-model.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import {
  etaSeconds,
  formatCount,
  formatDuration,
  formatLoss,
  formatTime,
  tokensDone,
  tokensPerSecond
} from "./format.ts";
import { renderLayout } from "./layout.ts";
import { renderAttempts } from "./attempts.ts";
import { renderDecisions } from "./decisions.ts";
import { renderSteps } from "./steps.ts";

export interface RunPageInput {
  run: RunSummary;
  attempts: readonly AttemptView[];
  events: readonly EventView[];
  excluded: readonly ExcludedNode[];
  now: Date;
}

function summary(run: RunSummary): SafeHtml {
  const tokens = tokensDone(run);
  const eta = etaSeconds(run);
  return html`<section id="summary" data-state="${run.state}" data-step="${run.step}">
    <h2>${run.name} <span class="badge ${run.state}">${run.state}</span></h2>
    ${run.attention ? html`<p class="attention"><strong>Needs attention:</strong> ${run.attention}</p>` : ""}
    <p>
      step ${run.step} / ${run.trainIters} · tokens ${tokens === undefined ? "—" : formatCount(tokens)} · ETA
      ${eta === undefined ? "—" : formatDuration(eta)} · attempt
      ${run.attempt}${run.jobId ? html` (Slurm job ${run.jobId})` : ""} · last loss
      ${formatLoss(run.lastLoss)} · LR ${run.currentLr === undefined ? "—" : run.currentLr.toExponential(2)} ·
      cluster ${run.cluster}
    </p>
    ${speed(run)} ${goodputLine(run)}
    <p class="muted">
      run id ${run.id} · created ${formatTime(run.createdAt)} · updated ${formatTime(run.updatedAt)}
    </p>
  </section>`;
}

function band(s: { fast: number; slow: number }, f: (n: number) => string): string {
  return `${f(s.fast)}–${f(s.slow)}`;
}

/** Speed and use so far next to the plan's estimate (docs/estimates.md). */
function speed(run: RunSummary): SafeHtml {
  const e = run.estimate;
  const tps = tokensPerSecond(run);
  const hours = (n: number): string => Math.round(n).toLocaleString("en-US");
  return html`<p id="speed">
    step time
    ${run.stepTimeSeconds === undefined ? "—" : `${run.stepTimeSeconds.toFixed(2)} s`}${
      e ? html` <span class="muted">(plan ${band(e.stepS, (n) => n.toFixed(1))} s)</span>` : ""
    }
    · ${tps === undefined ? "—" : formatCount(Math.round(tps))} tokens/s · MFU
    <span data-mfu>${run.mfuPct === undefined ? "—" : `${run.mfuPct.toFixed(2)}%`}</span>${
      run.hfuPct !== undefined ? ` (HFU ${run.hfuPct.toFixed(2)}%)` : ""
    }${e ? html` <span class="muted">(plan ${e.mfuPct.low.toFixed(0)}–${e.mfuPct.high.toFixed(0)}%)</span>` : ""}
    · device-hours
    <span data-device-hours>${run.spent === undefined ? "—" : hours(run.spent.deviceHours)}</span>${
      e ? html` <span class="muted">of ${band(e.deviceHours, hours)} planned</span>` : ""
    }${
      run.spent?.billed
        ? html` · ${hours(run.spent.billed.units)}
          ${run.spent.billed.unit}${
            e?.billed ? html` <span class="muted">of ${band(e.billed.units, hours)}</span>` : ""
          }`
        : ""
    }
  </p>`;
}

/** Effective training time and where the rest of the wall clock went, largest loss first. */
function goodputLine(run: RunSummary): SafeHtml {
  const g = run.goodput;
  if (!g || g.ett === undefined) return html``;
  const losses = Object.entries(g.split)
    .filter(([k, v]) => k !== "productive" && v > 0)
    .sort((a, b) => b[1] - a[1]);
  return html`<p id="goodput" data-ett="${g.ett.toFixed(4)}">
    effective training time <strong>${(g.ett * 100).toFixed(1)} %</strong> of ${formatDuration(g.wallS)}
    ${losses.length ? html` · lost: ${losses.map(([k, v], i) => html`${i ? ", " : ""}${k.replace("_", " ")} ${formatDuration(v)}`)}` : ""}
  </p>`;
}

function excludedNodes(nodes: readonly ExcludedNode[]): SafeHtml {
  return html`<section id="excluded">
    <h2>Excluded nodes (${nodes.length})</h2>
    ${
      nodes.length === 0
        ? html`<p class="muted">none</p>`
        : html`<table>
            <thead>
              <tr>
                <th>node</th>
                <th>strikes</th>
                <th>reason</th>
                <th>until</th>
              </tr>
            </thead>
            <tbody>
              ${nodes.map(
                (n) =>
                  html`<tr data-node="${n.node}">
                    <td>${n.node}</td>
                    <td>${n.strikes}</td>
                    <td class="wrap">${n.reason}</td>
                    <td>${n.until ? formatTime(n.until) : "kept out"}</td>
                  </tr>`
              )}
            </tbody>
          </table>`
    }
  </section>`;
}

/** Everything on the run page except the charts; live updates replace it as one block. */
export function renderRunDetails(input: RunPageInput): SafeHtml {
  return html`${summary(input.run)}${renderSteps(input.run.steps)}${renderAttempts(input.attempts, input.now)}${excludedNodes(input.excluded)}${renderDecisions(input.events)}`;
}

function actionsPanel(run: RunSummary): SafeHtml {
  return html`<section id="actions" class="actions">
    <h2>Actions</h2>
    <p>
      <label>token <input type="password" id="action-token" autocomplete="off" /></label>
    </p>
    <p>
      <button data-action="cancel">Cancel</button><button data-action="resume">Resume</button
      ><button data-action="ack">Acknowledge</button>
      <span>
        rollback to step
        <input
          id="rollback-step"
          type="number"
          min="0"
          style="width:7em"
          value="${Math.max(0, run.step - 1)}"
        />
        LR × <input id="rollback-lr" type="number" step="any" style="width:5em" value="0.333" />
        <button data-action="rollback">Roll back</button></span
      >
      <span>
        node <input id="exclude-node" type="text" style="width:8em" placeholder="nid005613" />
        <button data-action="exclude">Exclude and restart</button></span
      >
    </p>
    <p id="action-result" role="status"></p>
  </section>`;
}

export function renderRunPage(input: RunPageInput, actionsEnabled: boolean): string {
  const runId = input.run.id;
  return renderLayout({
    title: `Run ${input.run.name}`,
    styles: ["/static/uplot/uPlot.min.css"],
    body: html`<div
      id="run"
      data-run-id="${runId}"
      data-actions="${actionsEnabled ? "enabled" : "read-only"}"
    >
      ${actionsEnabled ? actionsPanel(input.run) : html`<p id="read-only" class="muted">Read-only: this dashboard has no action token configured.</p>`}
      <section>
        <h2>Training</h2>
        <div class="charts">
          <div id="chart-loss" data-chart="loss"></div>
          <div id="chart-lr" data-chart="lr"></div>
          <div id="chart-step-time" data-chart="step_time"></div>
        </div>
      </section>
      <div id="run-details" data-fragment="/fragments/runs/${encodeURIComponent(runId)}">
        ${renderRunDetails(input)}
      </div>
    </div>`,
    scripts: ["/static/uplot/uPlot.iife.min.js", "/static/live.js", "/static/run.js"]
  });
}

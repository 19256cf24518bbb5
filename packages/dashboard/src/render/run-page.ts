import type { AttemptView, EventView, ExcludedNode, RunSummary, SeriesPoint } from "../model/read-model.ts";
import { deriveIncidents } from "../model/incidents.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import {
  etaSeconds,
  formatCount,
  formatDuration,
  formatTime,
  tokensDone,
  tokensPerSecond
} from "./format.ts";
import { renderLayout } from "./layout.ts";
import { renderAttempts } from "./attempts.ts";
import { renderDecisions } from "./decisions.ts";
import { renderStatusHeader } from "./status-header.ts";
import { renderIncidents } from "./incidents.ts";
import { renderActionsPanel } from "./actions-panel.ts";
import { renderSteps } from "./steps.ts";
import { renderGoodput } from "./goodput.ts";

export interface RunPageInput {
  run: RunSummary;
  attempts: readonly AttemptView[];
  events: readonly EventView[];
  excluded: readonly ExcludedNode[];
  /** the training series (step, attempt, time): incidents' costs */
  points: readonly SeriesPoint[];
  now: Date;
  docsBase: string;
}

/** Totals under the status header: tokens, LR, speed against the plan, effective training time. */
function totals(run: RunSummary): SafeHtml {
  const tokens = tokensDone(run);
  const eta = etaSeconds(run);
  return html`<section id="totals">
    <p>
      tokens ${tokens === undefined ? "—" : formatCount(tokens)} · LR
      ${run.currentLr === undefined ? "—" : run.currentLr.toExponential(2)} · cluster ${run.cluster} · compute
      left ${eta === undefined ? "—" : formatDuration(eta)}
    </p>
    ${speed(run)} ${renderGoodput(run)}
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

/** The top of the page, replaced as one block by live updates: status header, incidents. */
export function renderRunHead(input: RunPageInput): SafeHtml {
  const incidents = deriveIncidents(input.events, input.attempts, input.points, {
    now: input.now,
    ...(input.run.stepTimeSeconds !== undefined ? { stepTimeS: input.run.stepTimeSeconds } : {}),
    ...(input.run.devices !== undefined ? { devices: input.run.devices } : {})
  });
  return html`${renderStatusHeader(input)}${renderIncidents(incidents)}`;
}

/** Everything below the charts; live updates replace it as one block. */
export function renderRunDetails(input: RunPageInput): SafeHtml {
  return html`${renderSteps(input.run.steps)}${renderAttempts(input.attempts, input.now)}${excludedNodes(input.excluded)}${renderDecisions(input.events, input.docsBase)}${totals(input.run)}`;
}

function charts(): SafeHtml {
  return html`<section id="training">
    <h2>Training</h2>
    <div class="charts">
      <div id="chart-loss" data-chart="loss"></div>
      <div id="chart-lr" data-chart="lr"></div>
      <div id="chart-step-time" data-chart="step_time"></div>
    </div>
  </section>`;
}

export function renderRunPage(input: RunPageInput, actionsEnabled: boolean): string {
  const runId = input.run.id;
  const id = encodeURIComponent(runId);
  return renderLayout({
    title: `Run ${input.run.name}`,
    styles: ["/static/uplot/uPlot.min.css"],
    body: html`<div
      id="run"
      class="run-grid"
      data-run-id="${runId}"
      data-actions="${actionsEnabled ? "enabled" : "read-only"}"
    >
      <div class="run-main">
        <div id="run-head" data-fragment="/fragments/runs/${id}/head">${renderRunHead(input)}</div>
        ${charts()}
        <div id="run-details" data-fragment="/fragments/runs/${id}">${renderRunDetails(input)}</div>
      </div>
      <aside class="run-side">
        ${
          actionsEnabled
            ? renderActionsPanel(input.run, input.attempts)
            : html`<section id="read-only" class="muted">
                Read-only: this dashboard has no action token configured. Use the CLI (<code
                  >neoxctl ack|resume|cancel|rollback|exclude</code
                >) on a machine that reaches Redis.
              </section>`
        }
      </aside>
    </div>`,
    scripts: ["/static/uplot/uPlot.iife.min.js", "/static/live.js", "/static/run.js"]
  });
}

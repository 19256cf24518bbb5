import type { Incident } from "../model/incidents.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import { formatDuration, formatTime } from "./format.ts";

function cost(i: Incident): SafeHtml {
  return html`<span class="cost">
    down ${formatDuration(i.downS)}${i.detectS > 0 ? html` (noticed after ${formatDuration(i.detectS)})` : ""}
    ·
    <span data-steps-lost="${i.stepsLost ?? ""}"
      >${i.stepsLost === undefined ? "steps lost —" : `${i.stepsLost} steps re-run`}</span
    >
    ·
    <span data-gpu-hours="${i.gpuHours?.toFixed(2) ?? ""}"
      >${i.gpuHours === undefined ? "GPU-hours —" : `${i.gpuHours.toFixed(1)} GPU-h`}</span
    >
  </span>`;
}

/**
 * "Since you last looked": every interruption, newest first, as failure → decision(s) → recovery.
 * Each item carries its time; the page script marks the ones after the reader's previous visit.
 */
export function renderIncidents(incidents: readonly Incident[]): SafeHtml {
  const newest = [...incidents].reverse();
  return html`<section id="incidents">
    <h2>Since you last looked <span class="muted" id="incidents-new"></span></h2>
    ${
      newest.length === 0
        ? html`<p class="muted">no incidents: training has not been interrupted</p>`
        : html`<ol class="incidents">
            ${newest.map(
              (i) =>
                html`<li
                  class="incident ${i.recoveredAt ? "recovered" : "open"}"
                  data-attempt="${i.attempt}"
                  data-time="${i.steps[0]?.time ?? i.failedAt}"
                >
                  <div class="chain">
                    <span class="step failure"
                      >attempt ${i.attempt} stopped${i.lastStep !== undefined ? ` at step ${i.lastStep}` : ""}
                      <span class="muted">${formatTime(i.failedAt)}</span></span
                    >
                    ${i.steps.map(
                      (s) =>
                        html`<span class="arrow">→</span
                          ><span class="step decision" data-event-type="${s.type}"
                            ><b>${s.type.replaceAll("_", " ")}</b> <span class="wrap">${s.cause}</span></span
                          >`
                    )}
                    <span class="arrow">→</span>
                    ${
                      i.recoveredAt
                        ? html`<span class="step recovery"
                            >training again${i.resumedFrom !== undefined ? ` from step ${i.resumedFrom}` : ""}
                            <span class="muted">${formatTime(i.recoveredAt)}</span></span
                          >`
                        : html`<span class="step pending">not recovered yet</span>`
                    }
                  </div>
                  ${cost(i)}
                </li>`
            )}
          </ol>`
    }
  </section>`;
}

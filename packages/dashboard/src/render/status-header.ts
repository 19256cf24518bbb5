import type { AttemptView, EventView, RunSummary } from "../model/read-model.ts";
import { attentionInPlainWords, classifyAttention } from "../model/attention-cause.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import {
  etaSeconds,
  formatAge,
  formatDuration,
  formatLoss,
  formatTime,
  formatTokensPerSecond
} from "./format.ts";
import { runbookLink } from "./runbook.ts";

export interface StatusInput {
  run: RunSummary;
  attempts: readonly AttemptView[];
  events: readonly EventView[];
  now: Date;
  docsBase: string;
}

/** When the run entered its current state: the newest event that moved it there. */
function stateSince(run: RunSummary, events: readonly EventView[]): string | undefined {
  return [...events].reverse().find((e) => e.to === run.state)?.time ?? run.updatedAt;
}

function fact(label: string, value: SafeHtml | string, attr: string): SafeHtml {
  return html`<div class="fact" data-fact="${attr}">
    <span class="label">${label}</span><span class="value">${value}</span>
  </div>`;
}

function attentionBlock(input: StatusInput): SafeHtml | string {
  const { run } = input;
  if (run.state === "failed" && !run.attention)
    return html`<p class="attention" data-cause="failed">
      The run failed and will not be retried. ${runbookLink(input.docsBase, "failed")}
    </p>`;
  if (run.state !== "needs_attention") return "";
  const kind = classifyAttention(run.attention, run.attentionEvent);
  return html`<div class="attention" data-cause="${kind}">
    <p>
      <strong>Needs attention:</strong> ${attentionInPlainWords(kind)}
      ${runbookLink(input.docsBase, kind, "what to do")}
    </p>
    ${run.attention ? html`<p class="wrap muted cause-text">${run.attention}</p>` : ""}
  </div>`;
}

/**
 * The first thing on the run page, sized to sit above the fold of a laptop screen: what state the
 * run is in and since when, what it is doing, what last happened and, when it waits for a person,
 * why in plain words with the runbook page. The data attributes feed the action confirmations.
 */
export function renderStatusHeader(input: StatusInput): SafeHtml {
  const { run, now } = input;
  const current = input.attempts[input.attempts.length - 1];
  const lastEvent = input.events[input.events.length - 1];
  const since = stateSince(run, input.events);
  const eta = etaSeconds(run);
  const pct = run.trainIters > 0 ? Math.min(100, (100 * run.step) / run.trainIters) : 0;
  const live = run.state === "running" || run.state === "queued" || run.state === "recovering";
  return html`<section
    id="summary"
    class="status"
    data-state="${run.state}"
    data-step="${run.step}"
    data-train-iters="${run.trainIters}"
    data-job-id="${run.jobId ?? ""}"
    data-job-live="${live ? "true" : "false"}"
    data-lr="${current?.lr ?? run.currentLr ?? ""}"
    data-nodes="${current?.nodes.join(",") ?? ""}"
  >
    <h2>
      ${run.name} <span class="badge ${run.state}">${run.state.replace("_", " ")}</span>
      <span class="muted since" data-since="${since ?? ""}"
        >since ${formatTime(since)} (${formatAge(since, now)} ago)</span
      >
    </h2>
    ${attentionBlock(input)}
    <div class="facts">
      ${fact("step", html`${run.step} / ${run.trainIters} <span class="muted">(${pct.toFixed(1)}%)</span>`, "step")}
      ${fact("ETA", eta === undefined || !live ? "—" : formatDuration(eta), "eta")}
      ${fact("last loss", formatLoss(run.lastLoss), "loss")}
      ${fact(
        live ? "throughput" : "last throughput",
        html`${formatTokensPerSecond(run)}${run.stepTimeSeconds !== undefined ? html` <span class="muted">${run.stepTimeSeconds.toFixed(2)} s/step</span>` : ""}`,
        "throughput"
      )}
      ${fact(
        "current job",
        current
          ? html`attempt
            ${current.index}${current.jobId ? html` · job <code>${current.jobId}</code>` : ""}${
              current.nodes.length ? html` · <span class="wrap">${current.nodes.join(", ")}</span>` : ""
            }`
          : "none yet",
        "job"
      )}
      ${fact("since progress", formatAge(run.lastProgressAt, now), "progress-age")}
    </div>
    ${
      lastEvent
        ? html`<p class="last-event" data-last-event="${lastEvent.type}">
            last: <strong>${lastEvent.type.replaceAll("_", " ")}</strong>
            <span class="muted">${formatAge(lastEvent.time, now)} ago</span> —
            <span class="wrap">${lastEvent.cause}</span>
          </p>`
        : ""
    }
  </section>`;
}

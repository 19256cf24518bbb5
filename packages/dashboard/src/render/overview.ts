import type { RunStateView, RunSummary, SlurmPollView } from "../model/read-model.ts";
import { RUN_STATE_VIEWS } from "../model/read-model.ts";
import type { OverviewQuery, RunGroup } from "../model/overview-query.ts";
import { filterRuns, groupOf, HISTORY_PAGE_SIZE, historyOpen, queryString } from "../model/overview-query.ts";
import { attentionInPlainWords, classifyAttention } from "../model/attention-cause.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import {
  etaSeconds,
  formatAge,
  formatDuration,
  formatEffective,
  formatLoss,
  formatTokensPerSecond
} from "./format.ts";
import { renderLayout } from "./layout.ts";
import { renderSparkline } from "./sparkline.ts";
import { renderClusterHealth } from "./cluster-health.ts";
import { runbookLink } from "./runbook.ts";

export interface OverviewInput {
  runs: readonly RunSummary[];
  query: OverviewQuery;
  polls: readonly SlurmPollView[];
  now: Date;
  docsBase: string;
}

const RANK = new Map<RunStateView, number>(RUN_STATE_VIEWS.map((s, i) => [s, i]));
const COLUMNS = 10;

/** Within a group: by how alarming the state is, then most recently changed. */
function orderRuns(runs: readonly RunSummary[]): RunSummary[] {
  return [...runs].sort(
    (a, b) =>
      (RANK.get(a.state) ?? 99) - (RANK.get(b.state) ?? 99) ||
      b.updatedAt.localeCompare(a.updatedAt) ||
      a.id.localeCompare(b.id)
  );
}

function byRecent(runs: readonly RunSummary[]): RunSummary[] {
  return [...runs].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
}

/** A run whose records could not be read: its id and what failed, no guesses at the rest. */
function unreadableRow(run: RunSummary, docsBase: string): SafeHtml {
  return html`<tr class="state-unreadable" data-run-id="${run.id}" data-state="unreadable">
    <td data-label="run">
      <a href="/runs/${encodeURIComponent(run.id)}">${run.id}</a>
    </td>
    <td data-label="state">
      <span class="badge unreadable">unreadable</span>
      <div class="wrap muted">${run.unreadable ?? ""} ${runbookLink(docsBase, "unreadable_record")}</div>
    </td>
    <td colspan="${COLUMNS - 2}" class="muted">stored records could not be read; see the supervisor's log</td>
  </tr>`;
}

function stateCell(run: RunSummary, docsBase: string): SafeHtml {
  if (run.state !== "needs_attention")
    return html`<span class="badge ${run.state}">${run.state.replace("_", " ")}</span>`;
  const kind = classifyAttention(run.attention, run.attentionEvent);
  return html`<span class="badge ${run.state}">needs attention</span>
    <div class="wrap cause" data-cause="${kind}">
      ${attentionInPlainWords(kind)} ${runbookLink(docsBase, kind)}
    </div>`;
}

function owners(run: RunSummary): SafeHtml | string {
  if (!run.team && !run.owner) return "";
  return html`<div class="muted owners">
    ${run.team ? html`team <span data-team>${run.team}</span>` : ""}${run.team && run.owner ? " · " : ""}${
      run.owner ? html`owner <span data-owner>${run.owner}</span>` : ""
    }
  </div>`;
}

function row(run: RunSummary, input: OverviewInput): SafeHtml {
  if (run.state === "unreadable") return unreadableRow(run, input.docsBase);
  const eta = etaSeconds(run);
  // rate and ETA only for runs that are moving; the progress age for every run not finished
  const moving = groupOf(run.state) === "active";
  const live = groupOf(run.state) !== "history";
  const pct = run.trainIters > 0 ? Math.min(100, (100 * run.step) / run.trainIters) : 0;
  return html`<tr class="state-${run.state}" data-run-id="${run.id}" data-state="${run.state}">
    <td data-label="run">
      <a href="/runs/${encodeURIComponent(run.id)}">${run.name}</a>
      <div class="muted">${run.id}</div>
      ${owners(run)}
    </td>
    <td data-label="state">${stateCell(run, input.docsBase)}</td>
    <td data-label="step">
      ${run.step} / ${run.trainIters} <span class="muted">(${pct.toFixed(1)}%)</span>
      <div class="progress"><div style="width:${pct.toFixed(1)}%"></div></div>
    </td>
    <td data-label="loss" class="loss">
      ${renderSparkline(run.lossTail ?? [])} <span data-last-loss>${formatLoss(run.lastLoss)}</span>
    </td>
    <td data-label="tokens/s">${moving ? formatTokensPerSecond(run) : "—"}</td>
    <td data-label="effective" data-effective>${formatEffective(run)}</td>
    <td data-label="ETA">${moving && eta !== undefined ? formatDuration(eta) : "—"}</td>
    <td data-label="attempt">
      ${run.attempt}${run.jobId ? html` <span class="muted">job ${run.jobId}</span>` : ""}
    </td>
    <td data-label="since progress" data-since-progress>
      ${live ? formatAge(run.lastProgressAt, input.now) : html`<span class="muted">${formatAge(run.updatedAt, input.now)} ago</span>`}
    </td>
    <td data-label="cluster">${run.cluster}</td>
  </tr>`;
}

const GROUP_TITLE: Record<RunGroup, string> = {
  attention: "Needs attention",
  active: "Running, queued and recovering",
  history: "Finished"
};

function groupHead(group: RunGroup, count: number, extra: SafeHtml | string = ""): SafeHtml {
  return html`<tr class="group-head" data-group-head="${group}">
    <th colspan="${COLUMNS}">${GROUP_TITLE[group]} <span class="count">(${count})</span> ${extra}</th>
  </tr>`;
}

function liveGroup(group: RunGroup, runs: readonly RunSummary[], input: OverviewInput): SafeHtml {
  return html`<tbody data-group="${group}">
    ${groupHead(group, runs.length)}
    ${
      runs.length === 0
        ? html`<tr class="none">
            <td colspan="${COLUMNS}" class="muted">none</td>
          </tr>`
        : runs.map((r) => row(r, input))
    }
  </tbody>`;
}

/** Finished runs: collapsed to one line unless asked for, then newest first, a page at a time. */
function historyGroup(runs: readonly RunSummary[], input: OverviewInput): SafeHtml {
  const q = input.query;
  if (!historyOpen(q)) {
    const show = html`<a id="history-show" href="${queryString(q, { history: true, page: 1 })}">show</a>`;
    return html`<tbody data-group="history" data-collapsed="true">
      ${groupHead("history", runs.length, runs.length ? show : "")}
    </tbody>`;
  }
  const pages = Math.max(1, Math.ceil(runs.length / HISTORY_PAGE_SIZE));
  const page = Math.min(q.page, pages);
  const shown = runs.slice((page - 1) * HISTORY_PAGE_SIZE, page * HISTORY_PAGE_SIZE);
  const pager = html`<span class="pager" data-page="${page}" data-pages="${pages}">
    page ${page} of ${pages}
    ${page > 1 ? html`<a rel="prev" href="${queryString(q, { history: true, page: page - 1 })}">newer</a>` : ""}
    ${page < pages ? html`<a rel="next" href="${queryString(q, { history: true, page: page + 1 })}">older</a>` : ""}
    <a href="${queryString(q, { history: false, page: 1 })}">hide</a>
  </span>`;
  return html`<tbody data-group="history" data-collapsed="false">
    ${groupHead("history", runs.length, pager)} ${shown.map((r) => row(r, input))}
  </tbody>`;
}

/** Counts by state over every run, each a link that filters to it. */
function stateCounts(runs: readonly RunSummary[], q: OverviewQuery): SafeHtml {
  const counts = new Map<RunStateView, number>();
  for (const r of runs) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  return html`<nav id="state-counts" aria-label="runs by state">
    ${RUN_STATE_VIEWS.filter((s) => counts.has(s)).map(
      (s) =>
        html`<a
          class="count-chip ${s}${q.state === s ? " on" : ""}"
          data-state-count="${s}"
          href="${queryString(q, { state: q.state === s ? undefined : s, page: 1 })}"
          ><span class="badge ${s}">${s.replace("_", " ")}</span> <b>${counts.get(s) ?? 0}</b></a
        >`
    )}
  </nav>`;
}

function emptyState(): SafeHtml {
  return html`<div class="empty" id="empty-state">
    <h2>No runs yet</h2>
    <p>
      Submit one with <code>neoxctl submit &lt;spec.yaml&gt; --cluster &lt;cluster&gt;</code>; it appears here
      as soon as the supervisor records it.
    </p>
  </div>`;
}

/** The part of the overview that live updates replace. */
export function renderRunsRegion(input: OverviewInput): SafeHtml {
  if (input.runs.length === 0) return emptyState();
  const shown = filterRuns(input.runs, input.query);
  const by = (g: RunGroup): RunSummary[] => shown.filter((r) => groupOf(r.state) === g);
  const attention = orderRuns(by("attention"));
  return html`<div class="triage-head">
      ${stateCounts(input.runs, input.query)} ${renderClusterHealth(input.runs, input.polls, input.now)}
    </div>
    <p
      id="runs-count"
      data-count="${shown.length}"
      data-total="${input.runs.length}"
      data-attention="${attention.length}"
    >
      ${shown.length === input.runs.length ? `${shown.length} runs` : `${shown.length} of ${input.runs.length} runs match`},
      ${attention.length} need attention
    </p>
    <table id="runs" class="runs">
      <thead>
        <tr>
          <th>run</th>
          <th>state</th>
          <th>step / train_iters</th>
          <th>loss</th>
          <th>tokens/s</th>
          <th>effective training</th>
          <th>ETA</th>
          <th>attempt</th>
          <th>since progress</th>
          <th>cluster</th>
        </tr>
      </thead>
      ${liveGroup("attention", attention, input)} ${liveGroup("active", orderRuns(by("active")), input)}
      ${historyGroup(byRecent(by("history")), input)}
    </table>`;
}

function options(values: readonly string[], selected: string | undefined, all: string): SafeHtml {
  return html`<option value="">${all}</option>
    ${values.map((v) => html`<option value="${v}" ${v === selected ? "selected" : ""}>${v}</option>`)}`;
}

/** A plain GET form: every filter lands in the URL, so the view can be shared and reloaded. */
export function renderFilters(runs: readonly RunSummary[], q: OverviewQuery): SafeHtml {
  const uniq = (xs: (string | undefined)[]): string[] =>
    [...new Set(xs.filter((x): x is string => Boolean(x)))].sort();
  return html`<form id="filters" method="get" action="/" role="search">
    <label
      >state
      <select name="state">
        ${options(RUN_STATE_VIEWS, q.state, "any")}
      </select></label
    >
    <label
      >cluster
      <select name="cluster">
        ${options(uniq(runs.map((r) => r.cluster)), q.cluster, "any")}
      </select></label
    >
    <label
      >team/owner
      <select name="team">
        ${options(uniq(runs.flatMap((r) => [r.team, r.owner])), q.team, "any")}
      </select></label
    >
    <label>search <input type="search" name="q" value="${q.q ?? ""}" placeholder="run, job, cause…" /></label>
    ${q.history ? html`<input type="hidden" name="history" value="open" />` : ""}
    <button type="submit">Filter</button> <a href="/">clear</a>
  </form>`;
}

export function renderOverview(input: OverviewInput): string {
  return renderLayout({
    title: "Runs",
    body: html`${renderFilters(input.runs, input.query)}
      <div id="runs-region" data-fragment="/fragments/runs${queryString(input.query)}">
        ${renderRunsRegion(input)}
      </div>`,
    scripts: ["/static/live.js"]
  });
}

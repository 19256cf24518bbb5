import type { RunSummary, SlurmPollView } from "../model/read-model.ts";
import { groupOf } from "../model/overview-query.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import { formatAge } from "./format.ts";

/** A poll older than this while the cluster has live runs is shown as stale. */
const STALE_POLL_S = 300;

/**
 * Each cluster's health as the supervisor last saw it: when it last polled Slurm and how long the
 * poll took, failures when the store records them, and a warning when a cluster with live runs has
 * not been polled lately (no supervisor holds it, or Slurm does not answer).
 */
export function renderClusterHealth(
  runs: readonly RunSummary[],
  polls: readonly SlurmPollView[],
  now: Date
): SafeHtml {
  const live = new Map<string, number>();
  for (const r of runs)
    if (r.cluster && groupOf(r.state) !== "history") live.set(r.cluster, (live.get(r.cluster) ?? 0) + 1);
  const byName = new Map(polls.map((p) => [p.cluster, p]));
  const names = [...new Set([...live.keys(), ...byName.keys()])].sort();
  if (names.length === 0) return html``;
  return html`<ul id="clusters" aria-label="clusters">
    ${names.map((name) => {
      const p = byName.get(name);
      const age = p?.at ? (now.getTime() - Date.parse(p.at)) / 1000 : Number.POSITIVE_INFINITY;
      const active = live.get(name) ?? 0;
      const stale = active > 0 && !(age <= STALE_POLL_S);
      const failing = (p?.failures ?? 0) > 0;
      const health = stale ? "stale" : failing ? "failing" : "ok";
      return html`<li class="cluster ${health}" data-cluster="${name}" data-health="${health}">
        <b>${name}</b> · ${active} live ·
        ${
          p?.at !== undefined && p.seconds !== undefined
            ? html`polled ${formatAge(p.at, now)} ago (${p.seconds.toFixed(1)} s)`
            : "never polled"
        }
        ${p?.failures !== undefined ? html` · ${p.failures} failed polls` : ""}
        ${p?.lastError ? html`<span class="muted wrap"> · ${p.lastError}</span>` : ""}
      </li>`;
    })}
  </ul>`;
}

import type { RunStateView, RunSummary } from "./read-model.ts";
import { RUN_STATE_VIEWS } from "./read-model.ts";

/**
 * The overview's filters, all in the URL query so a view can be shared: `state`, `cluster`,
 * `team` (matches the spec's team or owner), `q` (text in id, name, cause, team, owner, cluster),
 * `history=open` and `page` (finished runs, paged).
 */
export interface OverviewQuery {
  state?: RunStateView;
  cluster?: string;
  team?: string;
  q?: string;
  history: boolean;
  page: number;
}

export const HISTORY_PAGE_SIZE = 25;

/** Where a run sits on the overview: a human is needed, it is live, or it is over. */
export type RunGroup = "attention" | "active" | "history";

export function groupOf(state: RunStateView): RunGroup {
  switch (state) {
    case "needs_attention":
    case "unreadable":
      return "attention";
    case "recovering":
    case "running":
    case "queued":
    case "planned":
      return "active";
    case "failed":
    case "completed":
    case "cancelled":
      return "history";
  }
}

function text(v: unknown): string | undefined {
  const s = typeof v === "string" ? v.trim() : "";
  return s === "" ? undefined : s.slice(0, 200);
}

export function parseOverviewQuery(raw: unknown): OverviewQuery {
  const r = (raw ?? {}) as Record<string, unknown>;
  const state = text(r["state"]);
  const page = Number(r["page"]);
  const cluster = text(r["cluster"]);
  const team = text(r["team"]);
  const q = text(r["q"]);
  return {
    ...(state && (RUN_STATE_VIEWS as readonly string[]).includes(state)
      ? { state: state as RunStateView }
      : {}),
    ...(cluster ? { cluster } : {}),
    ...(team ? { team } : {}),
    ...(q ? { q } : {}),
    history: r["history"] === "open",
    page: Number.isSafeInteger(page) && page > 1 ? page : 1
  };
}

/** The query string (with `?`, or empty) for `q` with some fields replaced. */
export function queryString(q: OverviewQuery, change: Partial<OverviewQuery> = {}): string {
  const m = { ...q, ...change };
  const p = new URLSearchParams();
  if (m.state) p.set("state", m.state);
  if (m.cluster) p.set("cluster", m.cluster);
  if (m.team) p.set("team", m.team);
  if (m.q) p.set("q", m.q);
  if (m.history) p.set("history", "open");
  if (m.page > 1) p.set("page", String(m.page));
  const s = p.toString();
  return s ? `?${s}` : "";
}

function matchesText(run: RunSummary, needle: string): boolean {
  const n = needle.toLowerCase();
  return [run.id, run.name, run.attention, run.team, run.owner, run.cluster, run.jobId]
    .filter((v): v is string => typeof v === "string")
    .some((v) => v.toLowerCase().includes(n));
}

export function filterRuns(runs: readonly RunSummary[], q: OverviewQuery): RunSummary[] {
  return runs.filter(
    (r) =>
      (!q.state || r.state === q.state) &&
      (!q.cluster || r.cluster === q.cluster) &&
      (!q.team || r.team === q.team || r.owner === q.team) &&
      (!q.q || matchesText(r, q.q))
  );
}

/** Whether the finished runs are shown expanded: asked for, paged, or the filter is for a finished state. */
export function historyOpen(q: OverviewQuery): boolean {
  return q.history || q.page > 1 || (q.state !== undefined && groupOf(q.state) === "history");
}

import type { SupervisionView } from "../model/supervision.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";

const STYLE =
  "background:#d7263d;color:#fff;padding:8px 12px;margin:0 0 12px;border-radius:4px;font-weight:600";

/**
 * The banner every page opens with while the supervisors are not all right: no live supervisor
 * for a cluster with active runs, a wedged supervisor, leases held by a dead process. Nothing
 * (an empty fragment) when all is well or when the model cannot tell.
 */
export function renderSupervisionBanner(view: SupervisionView | undefined): SafeHtml {
  if (!view || view.problems.length === 0) return html``;
  const unsupervised = view.clusters.filter((c) => c.unsupervised).map((c) => c.cluster);
  const headline = unsupervised.length
    ? `No live supervisor for ${unsupervised.join(", ")}: active runs there are not being watched or recovered.`
    : "A supervisor needs attention.";
  return html`<div
    id="supervision-banner"
    role="alert"
    style="${STYLE}"
    data-unsupervised="${unsupervised.join(",")}"
  >
    <div>${headline}</div>
    <ul style="margin:4px 0 0;font-weight:400">
      ${view.problems.map((p) => html`<li>${p}</li>`)}
    </ul>
    <div style="font-weight:400">
      Run <code>neoxctl doctor</code>; start <code>neoxctl supervise</code> where it should run (runbook:
      docs/monitoring.md, "No live supervisor").
    </div>
  </div>`;
}

/** Puts the banner at the top of a rendered page's main region (pages render their own layout). */
export function withBanner(page: string, banner: SafeHtml): string {
  if (banner.value === "") return page;
  // any attributes a layout gives <main>; a page without one is left as it is
  const m = /<main\b[^>]*>/.exec(page);
  if (!m) return page;
  const at = m.index + m[0].length;
  return `${page.slice(0, at)}${banner.value}${page.slice(at)}`;
}

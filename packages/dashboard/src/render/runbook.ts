import type { AlertKind } from "../alerts/alert.ts";
import type { AttentionCause } from "../model/attention-cause.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";

/** The dashboard serves docs/runbook itself unless a docs site is configured (`docsBaseUrl`). */
export const DEFAULT_DOCS_BASE = "/runbook/";

/** A runbook page: an attention cause or an alert kind, each a docs/runbook/<name>.md. */
export type RunbookPage = AttentionCause | AlertKind;

export function runbookHref(base: string, page: RunbookPage): string {
  const b = base.endsWith("/") ? base : `${base}/`;
  return `${b}${encodeURIComponent(page)}.md`;
}

export function runbookLink(base: string, page: RunbookPage, label = "runbook"): SafeHtml {
  return html`<a class="runbook" data-runbook="${page}" href="${runbookHref(base, page)}">${label}</a>`;
}

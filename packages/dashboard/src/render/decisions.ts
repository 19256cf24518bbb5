import type { EventView } from "../model/read-model.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import { formatTime } from "./format.ts";
import { eventRunbookPage } from "./event-runbook.ts";
import { DEFAULT_DOCS_BASE, runbookLink } from "./runbook.ts";

function runbookFor(e: EventView, docsBase: string): SafeHtml | string {
  const page = eventRunbookPage(e);
  return page ? html` ${runbookLink(docsBase, page)}` : "";
}

function show(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "—");
}

function evidence(e: EventView): SafeHtml {
  const ev = e.evidence;
  const facts = [
    ev.slurmState ? html`<li>Slurm state: <code>${ev.slurmState}</code></li>` : "",
    ev.jobId ? html`<li>job: <code>${ev.jobId}</code></li>` : "",
    ev.nodes.length ? html`<li>nodes: <code>${ev.nodes.join(", ")}</code></li>` : "",
    ev.checkpoint !== undefined
      ? html`<li class="checkpoint">
          checkpoint chosen: <code>${ev.checkpoint === null ? "none" : ev.checkpoint}</code>
        </li>`
      : ""
  ];
  return html`<ul>
      ${facts}
    </ul>
    ${
      ev.configDiff.length
        ? html`<table class="config-diff">
            <thead>
              <tr>
                <th>config</th>
                <th>from</th>
                <th>to</th>
              </tr>
            </thead>
            <tbody>
              ${ev.configDiff.map(
                (c) =>
                  html`<tr>
                    <td>${c.field}</td>
                    <td>${show(c.from)}</td>
                    <td>${show(c.to)}</td>
                  </tr>`
              )}
            </tbody>
          </table>`
        : ""
    }
    ${ev.logLines.length ? html`<pre class="log-excerpt">${ev.logLines.join("\n")}</pre>` : ""}`;
}

function hasEvidence(e: EventView): boolean {
  const ev = e.evidence;
  return Boolean(
    ev.logLines.length ||
    ev.slurmState ||
    ev.jobId ||
    ev.nodes.length ||
    ev.checkpoint !== undefined ||
    ev.configDiff.length
  );
}

/** The event stream, newest first, each with the facts the supervisor acted on. */
export function renderDecisions(events: readonly EventView[], docsBase = DEFAULT_DOCS_BASE): SafeHtml {
  const newest = [...events].reverse();
  return html`<section id="decisions">
    <h2>Decision log (${events.length})</h2>
    ${
      newest.length === 0
        ? html`<p class="muted">no events yet</p>`
        : html`<ol class="events" style="list-style:none;padding-left:0">
            ${newest.map(
              (e) =>
                html`<li class="event" data-event-id="${e.id}" data-event-type="${e.type}">
                  <strong>${e.type}</strong>${runbookFor(e, docsBase)}
                  <span class="muted"
                    >${formatTime(e.time)}${e.attempt !== undefined ? html` · attempt ${e.attempt}` : ""}</span
                  >
                  ${e.actor !== undefined ? html` <span class="actor" data-actor="${e.actor}">by ${e.actor}</span>` : ""}
                  ${e.from && e.to ? html` <span class="badge">${e.from} → ${e.to}</span>` : ""}
                  <div class="wrap">${e.cause}</div>
                  ${
                    hasEvidence(e)
                      ? html`<details>
                          <summary>evidence</summary>
                          ${evidence(e)}
                        </details>`
                      : ""
                  }
                </li>`
            )}
          </ol>`
    }
  </section>`;
}

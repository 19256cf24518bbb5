import type { Silence } from "../alerts/silences.ts";
import { targetText } from "../alerts/silences.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";
import { renderLayout } from "./layout.ts";
import { formatTime } from "./format.ts";

/**
 * The silences in force and, when the dashboard takes actions, a form to add one and a button to
 * end each (both need an action token, typed into the form: plain HTML forms, no script).
 */
export function renderSilences(
  list: readonly Silence[],
  actionsEnabled: boolean,
  problem?: string
): SafeHtml {
  const tokenField = html`<label
    >action token <input type="password" name="token" autocomplete="off" required
  /></label>`;
  return html`<section id="silences">
    <h2>Silences in force (${list.length})</h2>
    ${problem ? html`<p id="silence-problem" role="alert">${problem}</p>` : ""}
    ${
      list.length === 0
        ? html`<p class="muted" id="no-silences">no silences: every alert is sent</p>`
        : html`<table>
            <thead>
              <tr>
                <th>target</th>
                <th>until</th>
                <th>by</th>
                <th>reason</th>
                <th>id</th>
                ${actionsEnabled ? html`<th></th>` : ""}
              </tr>
            </thead>
            <tbody>
              ${list.map(
                (s) =>
                  html`<tr class="silence" data-silence-id="${s.id}">
                    <td>${targetText(s.target)}</td>
                    <td>${formatTime(s.until)}</td>
                    <td class="actor">${s.by}</td>
                    <td class="wrap">${s.reason}</td>
                    <td><code>${s.id}</code></td>
                    ${
                      actionsEnabled
                        ? html`<td>
                            <form method="post" action="/silences/${s.id}/remove">
                              ${tokenField}
                              <button type="submit">end</button>
                            </form>
                          </td>`
                        : ""
                    }
                  </tr>`
              )}
            </tbody>
          </table>`
    }
    ${
      actionsEnabled
        ? html`<form id="silence-form" method="post" action="/silences">
            <h2>Add a silence</h2>
            <label>run id or team:&lt;label&gt; <input name="target" required /></label>
            <label>for <input name="for" value="2h" size="6" required /></label>
            <label>reason <input name="reason" required maxlength="500" /></label>
            ${tokenField}
            <button type="submit">silence</button>
          </form>`
        : html`<p class="muted">
            Read-only: adding or ending a silence needs an action token (or <code>neoxctl silence</code>).
          </p>`
    }
  </section>`;
}

export function renderSilencesPage(
  list: readonly Silence[],
  actionsEnabled: boolean,
  problem?: string
): string {
  return renderLayout({
    title: "Silences",
    body: html`<p><a href="/">All runs</a></p>
      ${renderSilences(list, actionsEnabled, problem)}`,
    scripts: []
  });
}

import type { AttemptView, RunSummary } from "../model/read-model.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";

/** Checkpoint steps the run's history names (resume points, rollback targets), newest first. */
function knownCheckpoints(attempts: readonly AttemptView[]): number[] {
  return [...new Set(attempts.map((a) => a.loadStep).filter((s): s is number => s !== undefined))].sort(
    (a, b) => b - a
  );
}

/**
 * The manual controls, apart from the facts. Each button opens a confirmation that states what the
 * action will do to this run (page script: client/run.js, from #summary's data attributes), and
 * nothing is sent until it is confirmed. The token never leaves the page except in the request.
 */
export function renderActionsPanel(run: RunSummary, attempts: readonly AttemptView[]): SafeHtml {
  const ckpts = knownCheckpoints(attempts);
  return html`<section id="actions" class="actions">
    <h2>Actions</h2>
    <p>
      <label>token <input type="password" id="action-token" autocomplete="off" /></label>
    </p>
    <div class="action-row">
      <button data-action="cancel">Cancel run</button>
      <button data-action="resume">Resume</button>
      <button data-action="ack">Acknowledge &amp; resume</button>
    </div>
    <div class="action-row">
      <label
        >roll back to step
        <input
          id="rollback-step"
          type="number"
          min="0"
          list="known-checkpoints"
          value="${ckpts[0] ?? Math.max(0, run.step - 1)}"
      /></label>
      <datalist id="known-checkpoints">${ckpts.map((s) => html`<option value="${s}"></option>`)}</datalist>
      <label>LR × <input id="rollback-lr" type="number" step="any" value="0.333" /></label>
      <button data-action="rollback">Roll back</button>
    </div>
    <div class="action-row">
      <label>node <input id="exclude-node" type="text" placeholder="nid005613" /></label>
      <button data-action="exclude">Exclude and restart</button>
    </div>
    <p id="action-result" role="status"></p>
    <dialog id="confirm" aria-labelledby="confirm-title">
      <h3 id="confirm-title">Confirm</h3>
      <p id="confirm-text"></p>
      <p><button id="confirm-yes" class="danger">Do it</button> <button id="confirm-no">Back</button></p>
    </dialog>
  </section>`;
}

import { safeText } from "@neoxctl/core";
import type { Alert } from "./alert.ts";
import { alertTitle } from "./alert.ts";
import { classifyAttention } from "../model/attention-cause.ts";
import { runbookHref } from "../render/runbook.ts";
import type { RunbookPage } from "../render/runbook.ts";

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

/**
 * Slack mrkdwn treats &, < and > as control characters; user-controlled text must not form links
 * or mentions (`<!channel>`). Secrets and control characters go first, through the one redaction.
 */
function escapeMrkdwn(text: string): string {
  return safeText(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function runUrl(baseUrl: string, runId: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/runs/${encodeURIComponent(runId)}`;
}

/** The runbook page for an alert: the attention cause's own page when it is one we know. */
function runbookPage(alert: Alert): RunbookPage {
  if (alert.kind !== "needs_attention") return alert.kind;
  const cause = classifyAttention(alert.summary);
  return cause === "unclassified" ? "needs_attention" : cause;
}

/**
 * A Slack-compatible payload: `text` for notifications and plain webhooks, `blocks` for layout.
 * `docsBaseUrl` is where the runbook pages live (default: the dashboard's own /runbook/).
 */
export function slackMessage(alert: Alert, baseUrl: string, docsBaseUrl?: string): SlackMessage {
  const url = runUrl(baseUrl, alert.runId);
  const runbook = runbookHref(docsBaseUrl ?? `${baseUrl.replace(/\/+$/, "")}/runbook/`, runbookPage(alert));
  const title = `neoxctl: run ${safeText(alert.runName)} ${alertTitle(alert.kind)}`;
  const facts = Object.entries(alert.facts).map(([k, v]) => ({
    type: "mrkdwn",
    text: `*${escapeMrkdwn(k)}*\n${escapeMrkdwn(v)}`
  }));
  return {
    // `text` is mrkdwn too (notifications, plain webhooks): escaped like the blocks
    text: `${escapeMrkdwn(title)}: ${escapeMrkdwn(alert.summary)} ${url}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: title.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(alert.summary) } },
      ...(facts.length ? [{ type: "section", fields: facts.slice(0, 10) }] : []),
      {
        type: "actions",
        elements: [
          { type: "button", text: { type: "plain_text", text: "Open run" }, url },
          { type: "button", text: { type: "plain_text", text: "Runbook" }, url: runbook }
        ]
      }
    ]
  };
}

/** What a "resolved" message says: the alert it closes and the progress that closed it. */
export interface Resolution {
  kind: Alert["kind"];
  runId: string;
  runName: string;
  /** one line: what the run is doing now */
  summary: string;
}

/** The follow-up to an alert the run got over by itself. */
export function resolvedMessage(r: Resolution, baseUrl: string): SlackMessage {
  const url = runUrl(baseUrl, r.runId);
  const title = `neoxctl: resolved: run ${safeText(r.runName)} ${alertTitle(r.kind)}`;
  return {
    text: `${escapeMrkdwn(title)}: ${escapeMrkdwn(r.summary)} ${url}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: title.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(r.summary) } },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open run" }, url }] }
    ]
  };
}

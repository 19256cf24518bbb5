import { z } from "zod";

/** How urgent an alert is; a route receives the alerts at or above its minimum. */
export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SeveritySchema = z.enum(SEVERITIES).describe("alert severity: info < warning < critical");

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** True when an alert of `severity` passes a route whose minimum is `min`. */
export function meetsSeverity(severity: Severity, min: Severity): boolean {
  return severityRank(severity) >= severityRank(min);
}

/**
 * A webhook entry in a spec or routes file: an http(s) URL, or the name of a webhook the routes
 * file defines (so the URL, a credential, stays out of specs and the run record).
 */
export const WebhookRefSchema = z
  .string()
  .regex(
    /^(https?:\/\/\S+|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/,
    "an http(s) URL or the name of a webhook in the alert routes file"
  );

/** `alerts:` in a run spec: where this run's alerts go instead of its team's or the global list. */
export const RunAlertsSchema = z
  .object({
    webhooks: z
      .array(WebhookRefSchema)
      .default([])
      .describe(
        "webhooks for this run's alerts: names from the supervisor's alert routes file (preferred: the URL stays out of the spec) or http(s) URLs"
      ),
    min_severity: SeveritySchema.default("info").describe("alerts below this severity are not sent")
  })
  .strict();
export type RunAlerts = z.output<typeof RunAlertsSchema>;

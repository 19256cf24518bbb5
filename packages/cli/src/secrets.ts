import { redactSecrets } from "@neoxctl/core";

/** Secrets the CLI may hold through its environment; none of them may appear in what it prints. */
function environmentSecrets(): string[] {
  const env = process.env;
  return [
    env.NEOXCTL_REDIS_URL,
    env.NEOXCTL_DASHBOARD_TOKEN,
    env.NEOXCTL_WEBHOOK_URL,
    ...(env.NEOXCTL_ALERT_WEBHOOKS ?? "").split(/[\s,]+/)
  ].filter((s): s is string => s !== undefined && s !== "");
}

/** Masks those secrets, and any URL password, in text about to be printed. */
export function redactOutput(text: string): string {
  return redactSecrets(text, environmentSecrets());
}

import { registerSecrets } from "@neoxctl/core";

/** Secrets the CLI may hold through its environment; none of them may appear in what it prints. */
function environmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    env.NEOXCTL_REDIS_URL,
    env.NEOXCTL_DASHBOARD_TOKEN,
    env.NEOXCTL_DASHBOARD_READ_TOKEN,
    env.NEOXCTL_WEBHOOK_URL,
    ...(env.NEOXCTL_ALERT_WEBHOOKS ?? "").split(/[\s,]+/)
  ].filter((s): s is string => s !== undefined && s !== "");
}

let registered = false;

/** Registers those secrets with the core redaction once, before anything is printed. */
export function registerEnvironmentSecrets(): void {
  if (registered) return;
  registered = true;
  registerSecrets(environmentSecrets());
}

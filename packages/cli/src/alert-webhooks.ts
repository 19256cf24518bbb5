import { readFile } from "node:fs/promises";
import { SpecError } from "@neoxctl/core";

/**
 * Webhook URLs for alerts. They are credentials, so they come from a file or the environment
 * (`NEOXCTL_ALERT_WEBHOOKS`, list; `NEOXCTL_WEBHOOK_URL`, one), never from argv (visible in `ps`).
 */
export async function readWebhooks(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env
): Promise<string[]> {
  const raw = file
    ? await readFile(file, "utf8")
    : `${env.NEOXCTL_ALERT_WEBHOOKS ?? ""} ${env.NEOXCTL_WEBHOOK_URL ?? ""}`;
  const urls = [...new Set(raw.split(/[\s,]+/).filter(Boolean))];
  for (const u of urls)
    if (!/^https?:\/\//.test(u))
      throw new SpecError("SPEC_INVALID", [
        { path: "--webhook-file", received: "(not shown)", rule: "webhook entries must be http(s) URLs" }
      ]);
  return urls;
}

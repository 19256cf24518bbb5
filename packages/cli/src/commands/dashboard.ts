import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { SpecError } from "@neoxctl/core";
import { serveDashboard } from "@neoxctl/dashboard";
import { runAction } from "../output.ts";

interface DashboardOptions {
  port: string;
  host: string;
  tokenFile?: string;
  prefix: string;
}

function invalid(path: string, rule: string): SpecError {
  return new SpecError("SPEC_INVALID", [{ path, received: "(not shown)", rule }]);
}

/** Secrets come from files or the environment, never from argv (visible in `ps`). */
async function readToken(file: string | undefined): Promise<string | undefined> {
  const raw = file ? await readFile(file, "utf8") : process.env.NEOXCTL_DASHBOARD_TOKEN;
  const token = raw?.trim();
  if (token !== undefined && token !== "" && token.length < 16)
    throw invalid("--token-file", "the dashboard token must be at least 16 characters");
  return token || undefined;
}

export function register(program: Command): void {
  program
    .command("dashboard")
    .description(
      "Serve the on-call dashboard and /metrics for Prometheus (alerts are sent by `neoxctl supervise`)."
    )
    .option("--port <port>", "port to listen on", "8080")
    .option("--host <host>", "address to bind (127.0.0.1 keeps it local)", "127.0.0.1")
    .option(
      "--token-file <file>",
      "file holding the action token (else $NEOXCTL_DASHBOARD_TOKEN); without one the dashboard is read-only"
    )
    .option(
      "--prefix <prefix>",
      "Redis key prefix of the supervisor",
      process.env.NEOXCTL_REDIS_PREFIX ?? "neoxctl:"
    )
    .action((opts: DashboardOptions) =>
      runAction(false, async () => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw invalid("--port", "port must be an integer 0-65535");
        const token = await readToken(opts.tokenFile);
        const running = await serveDashboard({
          host: opts.host,
          port,
          redisUrl: process.env.NEOXCTL_REDIS_URL ?? "redis://127.0.0.1:6379",
          prefix: opts.prefix,
          ...(token ? { token } : {})
        });
        process.stderr.write(
          `neoxctl dashboard on ${running.url} (${token ? "actions enabled" : "read-only"})\n`
        );
        const stop = (): void => void running.close().then(() => process.exit(0));
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        await new Promise<never>(() => undefined);
      })
    );
}

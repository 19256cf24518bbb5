import { Redis } from "ioredis";
import pino from "pino";
import type { Logger } from "pino";
import { buildDashboard } from "./server/app.ts";
import type { Dashboard } from "./server/app.ts";
import { SupervisorActions, SupervisorReadModel } from "./supervisor-adapter.ts";

export interface ServeOptions {
  host: string;
  port: number;
  redisUrl: string;
  prefix: string;
  token?: string;
  logLevel?: string;
}

export interface RunningDashboard {
  url: string;
  dashboard: Dashboard;
  close(): Promise<void>;
}

/**
 * Everything `neoxctl dashboard` starts: store connection and HTTP server. Alerts are not sent from
 * here: the supervisor's notify queue sends them (WebhookNotifier), so they go out once however
 * many dashboards are open and whether or not one is.
 */
export async function serveDashboard(opts: ServeOptions): Promise<RunningDashboard> {
  const log: Logger = pino({
    level: opts.logLevel ?? "info",
    redact: ["req.headers.authorization", "token", "webhook_urls"]
  });
  // lazyConnect + retries: a Redis restart makes the pages error for a moment, not the process exit
  const redis = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on("error", (e: Error) => log.warn({ err: e.message }, "redis connection problem"));
  await redis.connect();
  const model = new SupervisorReadModel({ redis, prefix: opts.prefix });
  const dashboard = await buildDashboard({
    model,
    actions: new SupervisorActions(model.store),
    ...(opts.token ? { token: opts.token } : {}),
    logger: { level: opts.logLevel ?? "info" }
  });
  await dashboard.app.listen({ host: opts.host, port: opts.port });
  const addr = dashboard.app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  const url = `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}`;
  log.info({ url, readOnly: !opts.token }, "dashboard listening");
  return {
    url,
    dashboard,
    async close() {
      await dashboard.close();
      redis.disconnect();
    }
  };
}

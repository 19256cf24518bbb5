import { Redis } from "ioredis";
import pino from "pino";
import type { Logger } from "pino";
import { registerSecrets, safeText, SpecError } from "@neoxctl/core";
import { buildDashboard } from "./server/app.ts";
import type { Dashboard } from "./server/app.ts";
import { bindPolicy } from "./server/exposure.ts";
import type { NamedToken } from "./server/tokens.ts";
import { SilenceStore } from "./alerts/silences.ts";
import type { SseLimits } from "./server/sse.ts";
import { SupervisorActions, SupervisorReadModel } from "./supervisor-adapter.ts";

export interface ServeOptions {
  host: string;
  port: number;
  redisUrl: string;
  prefix: string;
  /** action token (acts as `default`) */
  token?: string;
  /** named action tokens, hashed */
  tokens?: readonly NamedToken[];
  /** read token: pages, API, SSE and metrics need it when set */
  readToken?: string;
  /** a non-loopback bind is refused without it */
  allowRemote?: boolean;
  /** Host names accepted besides loopback names and the bind address */
  allowedHosts?: readonly string[];
  https?: { key: string | Buffer; cert: string | Buffer };
  sseLimits?: Partial<SseLimits>;
  logLevel?: string;
  /** where runbook links point (default: the pages the dashboard serves at /runbook/) */
  docsBaseUrl?: string;
}

export interface RunningDashboard {
  url: string;
  dashboard: Dashboard;
  /** what the operator should know about this exposure (plain HTTP off loopback, no read token) */
  warnings: string[];
  close(): Promise<void>;
}

/**
 * Everything `neoxctl dashboard` starts: store connection and HTTP server. Alerts are not sent from
 * here: the supervisor's notify queue sends them (WebhookNotifier), so they go out once however
 * many dashboards are open and whether or not one is.
 */
export async function serveDashboard(opts: ServeOptions): Promise<RunningDashboard> {
  const policy = bindPolicy({
    host: opts.host,
    allowRemote: opts.allowRemote === true,
    tls: opts.https !== undefined,
    readToken: opts.readToken !== undefined && opts.readToken !== ""
  });
  if (policy.refused !== undefined)
    throw new SpecError("SPEC_INVALID", [{ path: "--host", received: opts.host, rule: policy.refused }]);
  registerSecrets([opts.redisUrl, opts.token, opts.readToken]);
  const log: Logger = pino({
    level: opts.logLevel ?? "info",
    redact: ["req.headers.authorization", "token", "webhook_urls"]
  });
  // lazyConnect + retries: a Redis restart makes the pages error for a moment, not the process exit
  const redis = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on("error", (e: Error) => log.warn({ err: safeText(e.message) }, "redis connection problem"));
  await redis.connect();
  const model = new SupervisorReadModel({ redis, prefix: opts.prefix });
  const dashboard = await buildDashboard({
    model,
    actions: new SupervisorActions(model.store),
    silences: new SilenceStore(redis, opts.prefix),
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.tokens?.length ? { tokens: opts.tokens } : {}),
    ...(opts.readToken ? { readToken: opts.readToken } : {}),
    bindHost: opts.host,
    ...(opts.allowedHosts ? { allowedHosts: opts.allowedHosts } : {}),
    ...(opts.https ? { https: opts.https } : {}),
    ...(opts.sseLimits ? { sseLimits: opts.sseLimits } : {}),
    ...(opts.docsBaseUrl ? { docsBaseUrl: opts.docsBaseUrl } : {}),
    logger: { level: opts.logLevel ?? "info" }
  });
  await dashboard.app.listen({ host: opts.host, port: opts.port });
  const addr = dashboard.app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  const scheme = opts.https ? "https" : "http";
  const url = `${scheme}://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}`;
  log.info(
    { url, readOnly: !opts.token && !opts.tokens?.length, readToken: Boolean(opts.readToken) },
    "dashboard listening"
  );
  return {
    url,
    dashboard,
    warnings: policy.warnings,
    async close() {
      await dashboard.close();
      redis.disconnect();
    }
  };
}

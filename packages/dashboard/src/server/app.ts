import { STATUS_CODES } from "node:http";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { registerSecrets, safeJson } from "@neoxctl/core";
import type { RunActions } from "../model/actions.ts";
import type { RunReadModel } from "../model/read-model.ts";
import type { DashboardMetrics } from "../metrics/registry.ts";
import { createDashboardMetrics } from "../metrics/registry.ts";
import { DEFAULT_SSE_LIMITS, SseHub } from "./sse.ts";
import type { SseLimits } from "./sse.ts";
import { loadStaticAssets } from "./static-assets.ts";
import { loadRunbookPages } from "./runbook-pages.ts";
import { DEFAULT_DOCS_BASE } from "../render/runbook.ts";
import { registerPageRoutes } from "./page-routes.ts";
import { registerActionRoutes } from "./action-routes.ts";
import { registerGuards } from "./guards.ts";
import type { GuardOptions } from "./guards.ts";
import { loggerOption } from "./request-log.ts";
import { TokenRing } from "./token-ring.ts";
import { registerSilenceRoutes } from "./silence-routes.ts";
import type { SilenceStore } from "../alerts/silences.ts";
import type { NamedToken } from "./tokens.ts";
import type { RequestLogOption } from "./request-log.ts";

export interface DashboardOptions extends GuardOptions {
  model: RunReadModel;
  /** without actions or without a token the dashboard is read-only */
  actions?: RunActions;
  token?: string;
  /** named action tokens (hashes); the single `token` joins them as `default` */
  tokens?: readonly NamedToken[];
  /** silences in Redis: the `/silences` page (adding and ending them needs an action token) */
  silences?: SilenceStore;
  /** request logging (pino): no query strings, no credentials, messages redacted */
  logger?: RequestLogOption;
  metrics?: DashboardMetrics;
  clock?: () => Date;
  sseLimits?: Partial<SseLimits>;
  /** base URL of the runbook pages (default: served by this dashboard from docs/runbook at /runbook/) */
  docsBaseUrl?: string;
  /** key and certificate (PEM) to serve HTTPS */
  https?: { key: string | Buffer; cert: string | Buffer };
}

export interface Dashboard {
  app: FastifyInstance;
  hub: SseHub;
  metrics: DashboardMetrics;
  close(): Promise<void>;
}

/** Builds the dashboard server; call `app.listen` to serve it. */
export async function buildDashboard(options: DashboardOptions): Promise<Dashboard> {
  registerSecrets([options.token, options.readToken]);
  // the https variant only changes the server's type parameter, which no route here depends on
  const app = Fastify({
    logger: loggerOption(options.logger),
    ...(options.https ? { https: options.https } : {})
  }) as unknown as FastifyInstance;
  const hub = new SseHub(250, { ...DEFAULT_SSE_LIMITS, ...options.sseLimits });
  const metrics = options.metrics ?? createDashboardMetrics(options.model, options.clock);
  const assets = await loadStaticAssets();
  const tokens = TokenRing.of({ token: options.token, tokens: options.tokens });
  const actionsEnabled = Boolean(options.actions) && tokens.size > 0;

  // every JSON answer (API, errors) passes the one redaction and control escape
  app.setReplySerializer((payload) => safeJson(payload));
  // internals (stack traces, Redis replies, key names) stay in the log, redacted; clients get the status text
  app.setErrorHandler((err: { statusCode?: number }, req, reply) => {
    const status =
      typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500
        ? err.statusCode
        : 500;
    if (status >= 500) req.log.error({ err }, "request failed");
    return reply.code(status).send({ error: (STATUS_CODES[status] ?? "error").toLowerCase() });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: "not found" }));

  app.addHook("onSend", async (_req, reply, payload) => {
    // everything the page runs comes from this server; inline script is never needed
    reply.header(
      "content-security-policy",
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    );
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    return payload;
  });

  registerGuards(app, { ...options, tls: options.tls ?? options.https !== undefined });

  app.get<{ Params: { name: string } }>("/static/*", async (req, reply) => {
    const name = (req.params as Record<string, string>)["*"] ?? "";
    const asset = assets.get(name);
    if (!asset) return reply.code(404).send({ error: "not found" });
    return reply.header("cache-control", "public, max-age=300").type(asset.type).send(asset.body);
  });

  app.get("/events", (req, reply) => {
    const admission = hub.admit(req.ip);
    switch (admission) {
      case "server_full":
        return reply.code(503).header("retry-after", "30").send({ error: "too many live connections" });
      case "client_full":
        return reply
          .code(429)
          .header("retry-after", "30")
          .send({ error: "too many live connections from you" });
      case "ok":
        break;
    }
    reply.hijack();
    hub.add(reply.raw, req.ip);
    req.raw.on("close", () => reply.raw.end());
    return undefined;
  });

  app.get("/metrics", async (_req, reply) => {
    const scrape = await metrics.scrape();
    // a failed read answers 503: Prometheus marks the target down and ends every series instead
    // of keeping the last values (a frozen progress age would hide a hang)
    return reply
      .code(scrape.ok ? 200 : 503)
      .type(metrics.registry.contentType)
      .send(scrape.text);
  });

  app.get("/healthz", async () => ({ ok: true }));

  registerPageRoutes(app, {
    model: options.model,
    actionsEnabled,
    clock: options.clock ?? (() => new Date()),
    docsBase: options.docsBaseUrl ?? DEFAULT_DOCS_BASE,
    runbook: await loadRunbookPages()
  });
  registerActionRoutes(app, {
    model: options.model,
    actions: options.actions,
    tokens,
    onDone: (runId) => hub.publish({ kind: "run", runId })
  });

  if (options.silences) registerSilenceRoutes(app, { silences: options.silences, tokens, actionsEnabled });

  const unsubscribe = options.model.subscribe((change) => hub.publish(change));
  return {
    app,
    hub,
    metrics,
    async close() {
      unsubscribe();
      hub.close();
      await app.close();
    }
  };
}

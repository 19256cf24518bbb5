import Fastify from "fastify";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import type { RunActions } from "../model/actions.ts";
import type { RunReadModel } from "../model/read-model.ts";
import type { DashboardMetrics } from "../metrics/registry.ts";
import { createDashboardMetrics } from "../metrics/registry.ts";
import { SseHub } from "./sse.ts";
import { loadStaticAssets } from "./static-assets.ts";
import { registerPageRoutes } from "./page-routes.ts";
import { registerActionRoutes } from "./action-routes.ts";

export interface DashboardOptions {
  model: RunReadModel;
  /** without actions or without a token the dashboard is read-only */
  actions?: RunActions;
  token?: string;
  /** request logging (pino); the Authorization header is always redacted */
  logger?: boolean | { level?: string; stream?: NodeJS.WritableStream };
  metrics?: DashboardMetrics;
  clock?: () => Date;
}

export interface Dashboard {
  app: FastifyInstance;
  hub: SseHub;
  metrics: DashboardMetrics;
  close(): Promise<void>;
}

const REDACT = ["req.headers.authorization", "req.headers.cookie", "headers.authorization"];

function loggerOption(logger: DashboardOptions["logger"]): FastifyServerOptions["logger"] {
  if (logger === undefined || logger === false) return false;
  if (logger === true) return { level: "info", redact: REDACT };
  return {
    level: logger.level ?? "info",
    redact: REDACT,
    ...(logger.stream ? { stream: logger.stream } : {})
  };
}

/** Builds the dashboard server; call `app.listen` to serve it. */
export async function buildDashboard(options: DashboardOptions): Promise<Dashboard> {
  const app = Fastify({ logger: loggerOption(options.logger) });
  const hub = new SseHub();
  const metrics = options.metrics ?? createDashboardMetrics(options.model, options.clock);
  const assets = await loadStaticAssets();
  const actionsEnabled = Boolean(options.actions && options.token);

  app.addHook("onSend", async (_req, reply, payload) => {
    // everything the page runs comes from this server; inline script is never needed
    reply.header(
      "content-security-policy",
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    );
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    return payload;
  });

  app.get<{ Params: { name: string } }>("/static/*", async (req, reply) => {
    const name = (req.params as Record<string, string>)["*"] ?? "";
    const asset = assets.get(name);
    if (!asset) return reply.code(404).send({ error: "not found" });
    return reply.header("cache-control", "public, max-age=300").type(asset.type).send(asset.body);
  });

  app.get("/events", (req, reply) => {
    reply.hijack();
    hub.add(reply.raw);
    req.raw.on("close", () => reply.raw.end());
  });

  app.get("/metrics", async (_req, reply) => {
    const body = await metrics.render();
    return reply.type(metrics.registry.contentType).send(body);
  });

  app.get("/healthz", async () => ({ ok: true }));

  registerPageRoutes(app, {
    model: options.model,
    actionsEnabled,
    clock: options.clock ?? (() => new Date())
  });
  registerActionRoutes(app, {
    actions: options.actions,
    token: options.token,
    onDone: (runId) => hub.publish({ kind: "run", runId })
  });

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

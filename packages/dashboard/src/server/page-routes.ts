import type { FastifyInstance } from "fastify";
import type { RunReadModel } from "../model/read-model.ts";
import { buildChartData } from "../render/chart-data.ts";
import { renderOverview, renderRunsRegion } from "../render/overview.ts";
import type { OverviewInput } from "../render/overview.ts";
import { renderRunDetails, renderRunHead, renderRunPage } from "../render/run-page.ts";
import { parseOverviewQuery } from "../model/overview-query.ts";
import type { RunPageInput } from "../render/run-page.ts";
import { html } from "../render/html.ts";
import { renderLayout } from "../render/layout.ts";
import { isKnownRun } from "./run-id.ts";
import { renderSupervisionBanner, withBanner } from "../render/supervision-banner.ts";

export interface PageDeps {
  model: RunReadModel;
  actionsEnabled: boolean;
  clock: () => Date;
  /** where runbook links point (render/runbook.ts) */
  docsBase: string;
  /** docs/runbook pages served under /runbook/ (name → markdown) */
  runbook: ReadonlyMap<string, string>;
}

type IdParams = { Params: { id: string } };

async function runInput(deps: PageDeps, id: string): Promise<RunPageInput | undefined> {
  if (!(await isKnownRun(deps.model, id))) return undefined;
  const run = await deps.model.getRun(id);
  if (!run) return undefined;
  const [attempts, events, excluded, series] = await Promise.all([
    deps.model.attempts(id),
    deps.model.eventsSince(id),
    deps.model.excludedNodes(id),
    deps.model.series(id)
  ]);
  return {
    run,
    attempts,
    events,
    excluded,
    points: series.points,
    now: deps.clock(),
    docsBase: deps.docsBase
  };
}

async function overviewInput(deps: PageDeps, query: unknown): Promise<OverviewInput> {
  const [runs, polls] = await Promise.all([deps.model.listRuns(), deps.model.slurmPolls?.() ?? []]);
  return { runs, polls, query: parseOverviewQuery(query), now: deps.clock(), docsBase: deps.docsBase };
}

function notFound(): string {
  return renderLayout({
    title: "Run not found",
    body: html`<p id="not-found">No such run. <a href="/">All runs</a></p>`,
    scripts: []
  });
}

/** The supervision banner; a failed heartbeat read leaves it out rather than failing the page. */
async function banner(deps: PageDeps): Promise<ReturnType<typeof renderSupervisionBanner>> {
  return renderSupervisionBanner(await deps.model.supervision?.().catch(() => undefined));
}

export function registerPageRoutes(app: FastifyInstance, deps: PageDeps): void {
  app.get("/", async (req, reply) => {
    const [input, top] = await Promise.all([overviewInput(deps, req.query), banner(deps)]);
    return reply.type("text/html; charset=utf-8").send(withBanner(renderOverview(input), top));
  });

  app.get("/api/supervision", async (_req, reply) => {
    if (!deps.model.supervision) return reply.code(404).send({ error: "not known to this model" });
    return reply.header("cache-control", "no-store").send(await deps.model.supervision());
  });

  app.get("/fragments/runs", async (req, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .send(renderRunsRegion(await overviewInput(deps, req.query)).value)
  );

  app.get<IdParams>("/fragments/runs/:id/head", async (req, reply) => {
    const input = await runInput(deps, req.params.id);
    if (!input) return reply.code(404).send({ error: "run not found" });
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .send(renderRunHead(input).value);
  });

  app.get<{ Params: { page: string } }>("/runbook/:page", async (req, reply) => {
    const name = /^([a-z0-9_]+)\.md$/.exec(req.params.page)?.[1];
    const text = name ? deps.runbook.get(name) : undefined;
    if (!name || text === undefined) return reply.code(404).send({ error: "no such runbook page" });
    return reply.type("text/html; charset=utf-8").send(
      renderLayout({
        title: `Runbook: ${name}`,
        body: html`<section id="runbook" data-page="${name}">
          <pre class="runbook-text">${text}</pre>
        </section>`,
        scripts: []
      })
    );
  });

  app.get<IdParams>("/runs/:id", async (req, reply) => {
    const input = await runInput(deps, req.params.id);
    if (!input) return reply.code(404).type("text/html; charset=utf-8").send(notFound());
    const page = renderRunPage(input, deps.actionsEnabled);
    return reply.type("text/html; charset=utf-8").send(withBanner(page, await banner(deps)));
  });

  app.get<IdParams>("/fragments/runs/:id", async (req, reply) => {
    const input = await runInput(deps, req.params.id);
    if (!input) return reply.code(404).send({ error: "run not found" });
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .send(renderRunDetails(input).value);
  });

  app.get("/api/runs", async () => ({ runs: await deps.model.listRuns() }));

  app.get<IdParams>("/api/runs/:id", async (req, reply) => {
    const input = await runInput(deps, req.params.id);
    if (!input) return reply.code(404).send({ error: "run not found" });
    const { now: _now, points: _points, docsBase: _docsBase, ...rest } = input;
    return rest;
  });

  app.get<IdParams>("/api/runs/:id/chart", async (req, reply) => {
    const id = req.params.id;
    if (!(await isKnownRun(deps.model, id))) return reply.code(404).send({ error: "run not found" });
    const [series, attempts] = await Promise.all([deps.model.series(id), deps.model.attempts(id)]);
    return reply.header("cache-control", "no-store").send(buildChartData(series, attempts));
  });
}

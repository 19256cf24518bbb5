import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Severity } from "@neoxctl/core";
import type { RunRouting } from "../model/read-model.ts";
import { meetsSeverity, SeveritySchema, SpecError, WebhookRefSchema } from "@neoxctl/core";

const HookName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a webhook name such as nlp-oncall");
const TeamLabel = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a team label such as nlp");

const RouteSchema = z
  .object({
    webhooks: z.array(WebhookRefSchema).default([]),
    min_severity: SeveritySchema.default("info")
  })
  .strict();

/**
 * The supervisor's alert routes file (`neoxctl supervise --alert-routes-file`): named webhooks
 * (the URLs, credentials, live here rather than in specs), a route per team label, and the
 * minimum severity of the global list.
 */
export const AlertRoutesSchema = z
  .object({
    webhooks: z.record(HookName, z.string().regex(/^https?:\/\/\S+$/, "an http(s) URL")).default({}),
    teams: z.record(TeamLabel, RouteSchema).default({}),
    global: z
      .object({ min_severity: SeveritySchema.default("info") })
      .strict()
      .default({ min_severity: "info" })
  })
  .strict();
export type AlertRoutes = z.output<typeof AlertRoutesSchema>;

export const NO_ROUTES: AlertRoutes = AlertRoutesSchema.parse({});

/** Parses a routes file (YAML or JSON); every problem is reported, webhook URLs never echoed. */
export function parseAlertRoutes(text: string, source = "alert routes file"): AlertRoutes {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (e) {
    throw new SpecError("SPEC_INVALID", [
      { path: source, received: "(not shown)", rule: `not YAML: ${e instanceof Error ? e.message : ""}` }
    ]);
  }
  const r = AlertRoutesSchema.safeParse(raw);
  if (!r.success)
    throw new SpecError(
      "SPEC_INVALID",
      r.error.issues.map((i) => ({
        path: `${source}: ${i.path.join(".")}`,
        received: "(not shown)",
        rule: i.message
      }))
    );
  const unknown = Object.values(r.data.teams)
    .flatMap((t) => t.webhooks)
    .filter((w) => !/^https?:\/\//.test(w) && r.data.webhooks[w] === undefined);
  if (unknown.length)
    throw new SpecError(
      "SPEC_INVALID",
      unknown.map((w) => ({ path: `${source}: teams`, received: w, rule: "a webhook named under webhooks:" }))
    );
  return r.data;
}

export type { RunRouting } from "../model/read-model.ts";

/** Where one alert goes and which rule chose it (for logs and tests). */
export interface RouteChoice {
  urls: string[];
  /** `run`, `team:<label>` or `global` */
  via: string;
  minSeverity: Severity;
}

/**
 * The most specific route wins: the run's own `alerts.webhooks`, else its team's route, else the
 * global list. The chosen route's minimum severity then decides whether the alert goes at all
 * (the alert is not passed on to a less specific route). Unknown webhook names are skipped.
 */
export function chooseRoute(
  routing: RunRouting,
  routes: AlertRoutes,
  globalUrls: readonly string[]
): RouteChoice {
  const resolve = (refs: readonly string[]): string[] => [
    ...new Set(refs.flatMap((w) => (/^https?:\/\//.test(w) ? [w] : (routes.webhooks[w] ?? []))))
  ];
  if (routing.alerts && routing.alerts.webhooks.length > 0)
    return { urls: resolve(routing.alerts.webhooks), via: "run", minSeverity: routing.alerts.min_severity };
  const team = routing.team !== undefined ? routes.teams[routing.team] : undefined;
  if (team && team.webhooks.length > 0)
    return { urls: resolve(team.webhooks), via: `team:${routing.team}`, minSeverity: team.min_severity };
  return {
    urls: [...globalUrls],
    via: "global",
    // a run that only sets min_severity still raises the bar for its alerts on the global list
    minSeverity: routing.alerts?.min_severity ?? team?.min_severity ?? routes.global.min_severity
  };
}

/** The URLs an alert of `severity` is sent to (none when below the route's minimum). */
export function routeAlert(
  severity: Severity,
  routing: RunRouting,
  routes: AlertRoutes,
  globalUrls: readonly string[]
): RouteChoice {
  const choice = chooseRoute(routing, routes, globalUrls);
  return meetsSeverity(severity, choice.minSeverity) ? choice : { ...choice, urls: [] };
}

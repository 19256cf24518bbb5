import { describe, expect, it } from "vitest";
import { SpecError } from "@neoxctl/core";
import { chooseRoute, parseAlertRoutes, routeAlert } from "./routes.ts";
import { parseDuration, parseSilenceTarget, silences } from "./silences.ts";
import type { Silence } from "./silences.ts";

const routes = parseAlertRoutes(`
webhooks:
  nlp-oncall: https://hooks.example/nlp
  infra: https://hooks.example/infra
teams:
  nlp: { webhooks: [nlp-oncall], min_severity: warning }
global: { min_severity: info }
`);
const GLOBAL = ["https://hooks.example/global"];

describe("alert routing", () => {
  it("the run's own webhooks win, then its team's, then the global list", () => {
    expect(
      chooseRoute({ team: "nlp", alerts: { webhooks: ["infra"], min_severity: "info" } }, routes, GLOBAL)
    ).toEqual({
      urls: ["https://hooks.example/infra"],
      via: "run",
      minSeverity: "info"
    });
    expect(chooseRoute({ team: "nlp" }, routes, GLOBAL).urls).toEqual(["https://hooks.example/nlp"]);
    expect(chooseRoute({ team: "vision" }, routes, GLOBAL)).toMatchObject({ urls: GLOBAL, via: "global" });
    expect(chooseRoute({}, routes, GLOBAL).urls).toEqual(GLOBAL);
  });

  it("drops alerts below the chosen route's minimum severity", () => {
    expect(routeAlert("info", { team: "nlp" }, routes, GLOBAL).urls).toEqual([]);
    expect(routeAlert("warning", { team: "nlp" }, routes, GLOBAL).urls).toEqual([
      "https://hooks.example/nlp"
    ]);
    const onlyCritical = { alerts: { webhooks: [], min_severity: "critical" as const } };
    expect(routeAlert("warning", onlyCritical, routes, GLOBAL).urls).toEqual([]);
    expect(routeAlert("critical", onlyCritical, routes, GLOBAL).urls).toEqual(GLOBAL);
  });

  it("refuses a team route naming an undefined webhook, without echoing URLs", () => {
    expect(() => parseAlertRoutes("teams: { nlp: { webhooks: [nope] } }")).toThrow(SpecError);
    try {
      parseAlertRoutes("webhooks: { a: 'ftp://secret-host/x' }");
      expect.unreachable();
    } catch (e) {
      expect(JSON.stringify((e as SpecError).issues)).not.toContain("secret-host");
    }
  });
});

describe("silence targets and durations", () => {
  it("reads a run id, run:<id> or team:<label>", () => {
    expect(parseSilenceTarget("pythia-1")).toEqual({ kind: "run", run: "pythia-1" });
    expect(parseSilenceTarget("run:pythia-1")).toEqual({ kind: "run", run: "pythia-1" });
    expect(parseSilenceTarget("team:nlp")).toEqual({ kind: "team", team: "nlp" });
    expect(() => parseSilenceTarget("team:")).toThrow(SpecError);
  });

  it("reads durations", () => {
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("45s")).toBe(45_000);
    for (const bad of ["", "2", "h", "0m", "31d", "2h "]) expect(() => parseDuration(bad)).toThrow(SpecError);
  });

  it("a team silence covers the team's runs only", () => {
    const s: Silence = {
      id: "x",
      target: { kind: "team", team: "nlp" },
      reason: "r",
      by: "cli:a",
      createdAt: "",
      until: ""
    };
    expect(silences(s, { runId: "a", team: "nlp" })).toBe(true);
    expect(silences(s, { runId: "a" })).toBe(false);
  });
});

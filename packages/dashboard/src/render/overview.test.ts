import { describe, expect, it } from "vitest";
import type { RunSummary } from "../model/read-model.ts";
import { parseOverviewQuery } from "../model/overview-query.ts";
import { renderRunsRegion } from "./overview.ts";
import { renderSparkline } from "./sparkline.ts";

const run = (id: string, extra: Partial<RunSummary> = {}): RunSummary => ({
  id,
  name: id,
  state: "completed",
  cluster: "lumi",
  step: 10,
  trainIters: 10,
  attempt: 1,
  recoveries: {},
  rollbackCount: 0,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  ...extra
});

const region = (runs: RunSummary[], query: Record<string, string> = {}): string =>
  renderRunsRegion({
    runs,
    query: parseOverviewQuery(query),
    polls: [],
    now: new Date("2026-01-02T00:00:00Z"),
    docsBase: "/runbook/"
  }).value;

describe("renderRunsRegion", () => {
  it("orders attention, live, finished; finished collapsed; causes linked to their runbook page", () => {
    const html = region([
      run("done"),
      run("live", { state: "running", lossTail: [3, 2.5, 2.2] }),
      run("stuck", { state: "needs_attention", attention: "job 4 ran out of memory on nid1; not retrying" })
    ]);
    const order = [...html.matchAll(/data-run-id="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(["stuck", "live"]);
    expect(html).toContain('href="/runbook/out_of_memory.md"');
    expect(html).toContain('data-collapsed="true"');
    expect(region([run("done")], { history: "open" })).toContain('data-run-id="done"');
  });

  it("escapes names and keeps filter values out of markup", () => {
    const html = region([run(`x`, { name: `<img src=x onerror=alert(1)>`, state: "running" })], {
      q: `"><script>`
    });
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>");
  });
});

describe("renderSparkline", () => {
  it("draws numbers only, and nothing for fewer than two points", () => {
    expect(renderSparkline([1]).value).not.toContain("<svg");
    const svg = renderSparkline([3, Number.NaN, 2, 1]).value;
    expect(svg).toContain('data-points="3"');
    expect(svg).toMatch(/^<svg[^>]*>(<polyline [^>]*points="[\d., ]+"\/>)<circle[^>]*\/><\/svg>$/);
  });
});

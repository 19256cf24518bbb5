import { describe, expect, it } from "vitest";
import type { RunSummary } from "../model/read-model.ts";
import { renderRunsRegion } from "./overview.ts";
import { renderRunPage } from "./run-page.ts";
import { parseOverviewQuery } from "../model/overview-query.ts";

const now = new Date("2026-12-06T08:20:00.000Z");
const region = (runs: RunSummary[]): string =>
  renderRunsRegion({ runs, query: parseOverviewQuery({}), polls: [], now, docsBase: "/runbook" }).value;
const page = (r: RunSummary): string =>
  renderRunPage(
    { run: r, attempts: [], events: [], excluded: [], points: [], now, docsBase: "/runbook" },
    false
  );

const run: RunSummary = {
  id: "r1",
  name: "emma",
  state: "running",
  cluster: "lumi",
  step: 10,
  trainIters: 100,
  attempt: 1,
  recoveries: {},
  rollbackCount: 0,
  createdAt: "2026-12-06T08:00:00.000Z",
  updatedAt: "2026-12-06T08:10:00.000Z"
};

describe("the RCCL socket badge", () => {
  it("shows on the overview and the run page once the supervisor raised rccl_socket_fallback", () => {
    const warned = { ...run, rcclFallbackAttempt: 1 };
    expect(region([warned])).toContain('data-rccl-fallback="1"');
    expect(page(warned)).toContain("RCCL on sockets");
  });

  it("is absent otherwise", () => {
    expect(region([run])).not.toContain("rccl-socket");
    expect(page(run)).not.toContain("RCCL on sockets");
  });
});

import { describe, expect, it } from "vitest";
import type { RunSummary } from "../model/read-model.ts";
import { renderRunsRegion } from "./overview.ts";
import { renderRunPage } from "./run-page.ts";

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
    expect(renderRunsRegion([warned]).value).toContain('data-rccl-fallback="1"');
    const page = renderRunPage(
      { run: warned, attempts: [], events: [], excluded: [], now: new Date() },
      false
    );
    expect(page).toContain("RCCL on sockets");
  });

  it("is absent otherwise", () => {
    expect(renderRunsRegion([run]).value).not.toContain("rccl-socket");
    expect(
      renderRunPage({ run, attempts: [], events: [], excluded: [], now: new Date() }, false)
    ).not.toContain("RCCL on sockets");
  });
});

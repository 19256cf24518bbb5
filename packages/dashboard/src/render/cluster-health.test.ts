import { describe, expect, it } from "vitest";
import type { RunSummary } from "../model/read-model.ts";
import { renderClusterHealth } from "./cluster-health.ts";

const now = new Date("2026-01-01T00:01:00Z");
const running: RunSummary = {
  id: "r1",
  name: "r1",
  state: "running",
  cluster: "lumi",
  step: 10,
  trainIters: 100,
  attempt: 1,
  recoveries: {},
  rollbackCount: 0,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z"
};

describe("renderClusterHealth", () => {
  it("shows a recent poll as ok, without a failure count", () => {
    const html = renderClusterHealth(
      [running],
      [{ cluster: "lumi", seconds: 0.5, at: "2026-01-01T00:00:30Z" }],
      now
    ).value;
    expect(html).toContain('data-health="ok"');
    expect(html).toContain("polled 30s ago (0.5 s)");
    expect(html).not.toContain("failed polls");
  });

  it("shows the failures in a row and the last error, escaped", () => {
    const html = renderClusterHealth(
      [running],
      [
        {
          cluster: "lumi",
          seconds: 0.5,
          at: "2026-01-01T00:00:30Z",
          failures: 2,
          lastError: "<squeue> timed out"
        }
      ],
      now
    ).value;
    expect(html).toContain('data-health="failing"');
    expect(html).toContain("2 failed polls");
    expect(html).toContain("&lt;squeue&gt; timed out");
  });

  it("shows a cluster that has only failed as never polled with its failures", () => {
    const html = renderClusterHealth(
      [],
      [{ cluster: "frontier", failures: 4, lastError: "ssh refused" }],
      now
    ).value;
    expect(html).toContain('data-cluster="frontier"');
    expect(html).toContain('data-health="failing"');
    expect(html).toContain("never polled");
    expect(html).toContain("4 failed polls");
  });
});

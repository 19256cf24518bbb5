import { describe, expect, it } from "vitest";
import { MemoryRunModel } from "../model/memory-model.ts";
import { createDashboardMetrics } from "./registry.ts";

const run = {
  id: "r1",
  name: "r1",
  state: "running" as const,
  cluster: "c",
  step: 10,
  trainIters: 20,
  attempt: 1,
  recoveries: {},
  rollbackCount: 0,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  lastProgressAt: "2026-01-01T00:00:00Z"
};

/** A model whose store answers until told to fail. */
class FlakyModel extends MemoryRunModel {
  failing = false;
  override async listRuns() {
    if (this.failing) throw new Error("store unavailable");
    return super.listRuns();
  }
}

describe("createDashboardMetrics", () => {
  it("drops the run series and reports not-ok after a failed read, instead of repeating stale gauges", async () => {
    const model = new FlakyModel();
    model.put(run);
    const m = createDashboardMetrics(model, () => new Date("2026-01-01T00:10:00Z"));
    const good = await m.scrape();
    expect(good.ok).toBe(true);
    expect(good.text).toMatch(/neoxctl_run_last_progress_age_seconds\{run="r1",name="r1"\} 600/);
    model.failing = true;
    const bad = await m.scrape();
    expect(bad.ok).toBe(false);
    expect(bad.text).not.toContain('run="r1"');
    expect(bad.text).toContain("neoxctl_dashboard_scrape_errors_total 1");
  });

  it("exports each active run's effective training time and its wall clock by category", async () => {
    const model = new MemoryRunModel();
    model.put({
      ...run,
      goodput: {
        ett: 0.75,
        wallS: 1200,
        split: { productive: 900, queue: 60, recompute: 40, workflow_steps: 200 }
      }
    });
    const text = (await createDashboardMetrics(model).scrape()).text;
    expect(text).toMatch(/neoxctl_run_effective_training_ratio\{run="r1",name="r1"\} 0\.75/);
    expect(text).toMatch(/neoxctl_run_wall_seconds\{run="r1",name="r1",category="recompute"\} 40/);
    expect(text).toMatch(/neoxctl_run_wall_seconds\{run="r1",name="r1",category="workflow_steps"\} 200/);
  });
});

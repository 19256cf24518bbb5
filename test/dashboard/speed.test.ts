import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRun, SeriesStore } from "@neoxctl/supervisor";
import { buildDashboard, SupervisorReadModel } from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { REPO_ROOT, removeScenario, scenarioInputs } from "../supervisor/scenario.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "../supervisor/harness.ts";
import { parsePromText } from "./prom-text-parser.ts";

// Issue 18, "watch the speed during": the plan sets NeoX's peak_theoretical_tflops from the local
// profile, the emulator then logs MFU/HFU as NeoX does, and the value travels parser → series →
// `neoxctl status`, the run page and /metrics, next to the plan's estimate.
const CLI = join(REPO_ROOT, "packages/cli/bin/neoxctl.js");

describe("MFU and hours spent, end to end (local Slurm + emulator)", () => {
  const inputs = scenarioInputs({
    name: "speed",
    trainIters: 300,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "100" }
  });
  let cleanup: (() => Promise<void>) | undefined;
  let dash: Dashboard | undefined;
  afterAll(async () => {
    await dash?.close();
    await cleanup?.();
    removeScenario(inputs);
  });

  it("shows NeoX's logged MFU in the series, status, the run page and /metrics", async () => {
    const t = await testRedis("speed");
    cleanup = t.cleanup;
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-speed", log);
    const series = new SeriesStore(t.redis, store.keys);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
    const model = new SupervisorReadModel({ redis: t.redis, prefix: t.prefix });
    dash = await buildDashboard({ model });

    // /metrics carries per-run gauges for active runs only: read it while the run trains
    const hasMfu = async (): Promise<boolean> =>
      (await series.read(run.id)).some((p) => p.mfuPct !== undefined);
    await cycleUntil(
      sup,
      async () => (await hasMfu()) || (await store.mustGetRun(run.id)).state === "completed",
      400
    );
    expect(await hasMfu(), log.join("\n")).toBe(true);
    expect((await store.mustGetRun(run.id)).state, "the run ended before /metrics was read").toBe("running");

    const metrics = await dash.app.inject({ method: "GET", url: "/metrics" });
    const families = parsePromText(metrics.body);
    const sample = (name: string, labels: Record<string, string> = {}): number | undefined =>
      families
        .get(name)
        ?.samples.find(
          (s) => s.labels["run"] === run.id && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
        )?.value;
    expect(sample("neoxctl_run_mfu_percent")).toBeGreaterThan(0);
    expect(sample("neoxctl_run_step_seconds")).toBeGreaterThan(0);
    expect(sample("neoxctl_run_eta_seconds")).toBeGreaterThanOrEqual(0);
    expect(sample("neoxctl_run_device_hours_spent")).toBeGreaterThanOrEqual(0);
    expect(sample("neoxctl_run_device_hours_planned", { bound: "slow" })).toBeGreaterThan(
      sample("neoxctl_run_device_hours_planned", { bound: "fast" })!
    );

    await cycleUntil(sup, async () => (await store.mustGetRun(run.id)).state === "completed", 400);
    expect((await store.mustGetRun(run.id)).state, log.join("\n")).toBe("completed");

    const points = await series.read(run.id);
    const last = points.filter((p) => p.mfuPct !== undefined).at(-1)!;
    expect(last.hfuPct).toBeDefined();
    // the local-demo spec checkpoints activations: NeoX's HFU counts the recomputed forward, 4/3 of MFU
    expect(last.hfuPct! / last.mfuPct!).toBeCloseTo(4 / 3, 1);

    const summary = await model.getRun(run.id);
    expect(summary?.mfuPct).toBe(last.mfuPct);
    expect(summary?.spent?.deviceHours).toBeGreaterThan(0);
    expect(summary?.estimate?.mfuPct).toEqual({ low: 25, high: 38 });

    const page = await dash.app.inject({ method: "GET", url: `/runs/${encodeURIComponent(run.id)}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(new RegExp(`<span data-mfu>${last.mfuPct!.toFixed(2)}%</span>`));
    expect(page.body).toContain("(plan 25–38%)");

    const status = spawnSync("node", [CLI, "status", run.id], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, NEOXCTL_REDIS_PREFIX: t.prefix }
    });
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain(`MFU ${last.mfuPct!.toFixed(2)}%`);
    expect(status.stdout).toMatch(/spent [\d,]+ device-hours of [\d,]+–[\d,]+ planned/);
  }, 400_000);
});

import { afterAll, describe, expect, it } from "vitest";
import { createRun } from "@neoxctl/supervisor";
import type { RunStore, Supervisor } from "@neoxctl/supervisor";
import { planRun } from "@neoxctl/plan";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import type { ScenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { localCluster, makeSupervisor } from "./harness.ts";

/**
 * The throughput guard against the plan's estimate (issue 18), on the local cluster. The estimate
 * comes from the run's own record: the supervisor plans it, with no option given. The local
 * profile's peak FLOPs are raised so the plan expects about 0.1 s per step (at 191.5 TFLOPs it
 * expects seconds, which the emulator never comes near); a run slowed from its first steps has
 * no healthy baseline of its own, so only the estimate can catch it.
 */
const WINDOW_MIN = 0.1;
const PEAK_TFLOPS = 8000;

async function until(sup: Supervisor, store: RunStore, ids: string[]): Promise<void> {
  for (let i = 0; i < 900; i++) {
    await sup.cycle();
    const states = await Promise.all(ids.map(async (id) => (await store.mustGetRun(id)).state));
    if (states.every((s) => s === "completed" || s === "needs_attention")) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error("runs did not settle");
}

function scenario(name: string, env: Record<string, string>): ScenarioInputs {
  return scenarioInputs({
    name,
    trainIters: 60,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "20", ...env },
    resilience: `  slowdown: {factor: 1.5, window_min: ${WINDOW_MIN}}`,
    profileEdit: (t) => t.replace(/peak_tflops_per_device: [\d.]+/, `peak_tflops_per_device: ${PEAK_TFLOPS}`)
  });
}

describe("throughput guard against the plan's step-time estimate, on the local cluster", () => {
  const slowed = scenario("est-slow", { NEOX_EMU_SLOW_FROM: "2:20" });
  const clean = scenario("est-clean", {});
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
    removeScenario(slowed);
    removeScenario(clean);
  });

  it("a run slower than factor × the estimate's slow end from its start raises a slowdown naming the estimate; a clean run raises none", async () => {
    const slowEndMs =
      planRun({
        spec: slowed.spec,
        profile: slowed.profile,
        manifest: slowed.manifest,
        repoRoot: REPO_ROOT,
        runDir: slowed.runDir
      }).estimates.timing!.stepS.slow * 1000;
    // 20 ms steps are well inside the estimate, 400 ms steps well above 1.5 × it
    expect(slowEndMs * 1.5).toBeGreaterThan(20 * 3);
    expect(slowEndMs * 1.5).toBeLessThan(400 / 2);

    const t = await testRedis("slowdown-estimate");
    cleanups.push(t.cleanup);
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-slow-estimate");
    const slow = await createRun(store, localCluster().exec, { ...slowed, repoRoot: REPO_ROOT });
    const fast = await createRun(store, localCluster().exec, { ...clean, repoRoot: REPO_ROOT });
    await until(sup, store, [slow.id, fast.id]);
    expect((await store.mustGetRun(slow.id)).state).toBe("completed");

    const events = await store.events(slow.id);
    const slowdowns = events.filter((e) => e.type === "slowdown");
    expect(slowdowns).toHaveLength(1);
    const s = slowdowns[0]!;
    expect(s.cause).toMatch(/the upper end of the plan's step-time estimate/);
    const d = s.evidence.detail as {
      reference: string;
      estimateMs: number;
      currentMs: number;
      since: string;
    };
    expect(d.reference).toBe("estimate");
    expect(d.estimateMs).toBeCloseTo(slowEndMs, 6);
    expect(d.currentMs / d.estimateMs).toBeGreaterThan(1.5);
    expect(Date.parse(s.time) - Date.parse(d.since)).toBeGreaterThanOrEqual(WINDOW_MIN * 60_000);

    expect((await store.mustGetRun(fast.id)).state).toBe("completed");
    expect((await store.events(fast.id)).map((e) => e.type)).not.toContain("slowdown");
  }, 600_000);
});

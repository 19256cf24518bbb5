import { afterAll, describe, expect, it } from "vitest";
import { createRun, requestControl, SeriesStore } from "@neoxctl/supervisor";
import type { RunStore, Supervisor } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import type { ScenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { localCluster, makeSupervisor } from "./harness.ts";

const WINDOW_MIN = 0.1;

async function until(
  sup: Supervisor,
  store: RunStore,
  runId: string,
  ok: () => Promise<boolean>
): Promise<void> {
  for (let i = 0; i < 900; i++) {
    await sup.cycle();
    if (await ok()) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(
    `condition not reached; events:\n${(await store.events(runId)).map((e) => `${e.type}: ${e.cause}`).join("\n")}`
  );
}

function scenario(name: string, env: Record<string, string>): ScenarioInputs {
  return scenarioInputs({
    name,
    trainIters: 400,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "50", ...env },
    resilience: `  slowdown: {factor: 1.5, window_min: ${WINDOW_MIN}}`
  });
}

describe("throughput guard and the exclude control on the local cluster", () => {
  const slowed = scenario("slow", { NEOX_EMU_SLOW_FROM: "150:4" });
  const clean = scenario("fast", {});
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
    removeScenario(slowed);
    removeScenario(clean);
  });

  it("an emulator slowed ×4 from step 150 raises one slowdown once it has lasted the window; a clean run raises none", async () => {
    const t = await testRedis("slowdown");
    cleanups.push(t.cleanup);
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-slow");
    const slow = await createRun(store, localCluster().exec, { ...slowed, repoRoot: REPO_ROOT });
    const fast = await createRun(store, localCluster().exec, { ...clean, repoRoot: REPO_ROOT });
    const done = async (id: string): Promise<boolean> => (await store.mustGetRun(id)).state === "completed";
    await until(sup, store, slow.id, async () => (await done(slow.id)) && (await done(fast.id)));

    const events = await store.events(slow.id);
    const slowdowns = events.filter((e) => e.type === "slowdown");
    expect(slowdowns).toHaveLength(1);
    const d = slowdowns[0]!.evidence.detail as {
      since: string;
      sinceStep: number;
      currentMs: number;
      baselineMs: number;
    };
    expect(d.sinceStep).toBeGreaterThanOrEqual(150);
    expect(d.currentMs / d.baselineMs).toBeGreaterThan(1.5);
    // raised once the slow stretch had lasted the window, not before
    expect(Date.parse(slowdowns[0]!.time) - Date.parse(d.since)).toBeGreaterThanOrEqual(WINDOW_MIN * 60_000);
    // ... and while the run was still training
    const completedAt = events.find((e) => e.type === "run_completed")!.time;
    expect(Date.parse(slowdowns[0]!.time)).toBeLessThan(Date.parse(completedAt));
    expect((await store.events(fast.id)).map((e) => e.type)).not.toContain("slowdown");
  }, 600_000);

  it("neoxctl exclude: the run restarts from its newest checkpoint on nodes without the excluded one", async () => {
    const inputs = scenario("excl", {});
    const t = await testRedis("exclude");
    cleanups.push(async () => {
      await t.cleanup();
      removeScenario(inputs);
    });
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-excl");
    const series = new SeriesStore(t.redis, store.keys);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
    await until(sup, store, run.id, async () => ((await series.lastBatch(run.id)).at(-1)?.step ?? 0) >= 35);
    const first = (await store.getAttempt(run.id, 1))!;
    const node = first.nodes![1]!;
    await requestControl(store, run.id, { kind: "exclude", node });
    await until(sup, store, run.id, async () => (await store.getAttempt(run.id, 2))?.nodes !== undefined);
    const types = (await store.events(run.id)).map((e) => e.type);
    expect(types).toContain("excluded_by_user");
    const second = (await store.getAttempt(run.id, 2))!;
    expect(second.params.excludeNodes).toContain(node);
    expect(second.params.load).toMatchObject({ kind: "resume" });
    const from = second.params.load.kind === "resume" ? (second.params.load.iteration ?? 0) : 0;
    expect(from).toBeGreaterThanOrEqual(30);
    expect(second.nodes).not.toContain(node);
    await until(sup, store, run.id, async () => (await store.mustGetRun(run.id)).state === "completed");
  }, 600_000);
});

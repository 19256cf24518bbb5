import { afterAll, describe, expect, it } from "vitest";
import { requestControl, createRun, SeriesStore } from "@neoxctl/supervisor";
import type { RunStore, Supervisor } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { localCluster, makeSupervisor } from "./harness.ts";

async function until(
  sup: Supervisor,
  store: RunStore,
  runId: string,
  ok: (state: string, attempts: number) => boolean | Promise<boolean>
): Promise<void> {
  for (let i = 0; i < 600; i++) {
    await sup.cycle();
    const r = await store.mustGetRun(runId);
    if (await ok(r.state, r.attempts)) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(
    `condition not reached; events:\n${(await store.events(runId)).map((e) => `${e.type}: ${e.cause}`).join("\n")}`
  );
}

describe("manual controls on the local cluster", () => {
  // the same step crashes every time: a crash loop that only a human can end
  const inputs = scenarioInputs({
    name: "ctl",
    trainIters: 400,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "30", NEOX_EMU_CRASH_AT: "35", NEOX_EMU_CRASH_REPEAT: "1" }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    removeScenario(inputs);
  });

  it("crash loop → needs_attention; a refused rollback, a rollback with a lower LR, ack and cancel are carried out and explained", async () => {
    const t = await testRedis("ctl");
    cleanup = t.cleanup;
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-ctl");
    const series = new SeriesStore(t.redis, store.keys);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });

    // crash_loop_limit 3: two app retries at the same step, the third failure asks for a human
    await until(sup, store, run.id, (s) => s === "needs_attention");
    let r = await store.mustGetRun(run.id);
    expect(r.attention).toMatch(/crash loop/);
    expect(r.budgetsUsed.app).toBe(2);
    expect(r.attempts).toBe(3);

    // a control that cannot apply is rejected with a reason, not carried out
    await requestControl(store, run.id, { kind: "rollback", toStep: 15 });
    await until(sup, store, run.id, async () =>
      (await store.events(run.id)).some((e) => e.type === "control_rejected")
    );

    await requestControl(store, run.id, { kind: "rollback", toStep: 20, lrFactor: 0.5 });
    await until(sup, store, run.id, (_s, n) => n === 4);
    r = await store.mustGetRun(run.id);
    const a4 = (await store.getAttempt(run.id, 4))!;
    expect(a4.params.load).toEqual({ kind: "resume", iteration: 20 });
    expect(a4.params.lr).toBeCloseTo(0.00005);
    expect(a4.diff.map((d) => d.field)).toEqual(["load", "lr"]);

    // it crashes again at 35 (the fault repeats): budgets are not reset by a rollback, so the app
    // budget or the crash loop stops it again; `ack` resets both and resumes
    await until(sup, store, run.id, (s) => s === "needs_attention");
    await requestControl(store, run.id, { kind: "ack" });
    await until(sup, store, run.id, (s, n) => s !== "needs_attention" && n === 5);
    r = await store.mustGetRun(run.id);
    expect(r.crashLoop).toBeNull();
    expect(Object.values(r.budgetsUsed).every((v) => v === 0)).toBe(true);

    await until(sup, store, run.id, (s) => s === "running" || s === "needs_attention");
    await requestControl(store, run.id, { kind: "cancel" });
    await until(sup, store, run.id, (s) => s === "cancelled");
    const types = (await store.events(run.id)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "needs_attention",
        "control_rejected",
        "rollback_by_user",
        "acknowledged",
        "cancelled_by_user"
      ])
    );
    expect(await store.runIds(true)).not.toContain(run.id);
    expect((await series.read(run.id)).length).toBeGreaterThan(0);
  }, 600_000);
});

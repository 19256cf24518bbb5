import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { createRun } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { localCluster, makeSupervisor } from "./harness.ts";

describe("two supervisors on the same Redis", () => {
  const inputs = scenarioInputs({
    name: "two",
    trainIters: 80,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "30", NEOX_EMU_CRASH_AT: "30" }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    removeScenario(inputs);
  });

  it("never both act on a run; the second takes over when the first stops renewing its lease", async () => {
    const t = await testRedis("two");
    cleanup = t.cleanup;
    const logA: string[] = [];
    const logB: string[] = [];
    const a = makeSupervisor(t.redis, t.prefix, "sup-a", logA, 1500);
    const b = makeSupervisor(t.redis, t.prefix, "sup-b", logB, 1500);
    const run = await createRun(a.store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });

    // both cycle at the same time until the run has recovered once; only one may hold the run
    let aliveA = true;
    for (let i = 0; i < 800; i++) {
      const [ra, rb] = await Promise.all([
        aliveA ? a.sup.cycle() : Promise.resolve(undefined),
        b.sup.cycle()
      ]);
      expect((ra?.leased ?? 0) + rb.leased).toBeLessThanOrEqual(1);
      const r = await a.store.mustGetRun(run.id);
      if (r.state === "completed" || r.state === "needs_attention") break;
      // the holder "dies" (stops cycling, no clean release) once attempt 2 exists
      if (aliveA && r.attempts >= 2 && r.state === "running") {
        aliveA = false;
        a.sup.halt();
        logA.push("--- stopped ---");
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    const final = await a.store.mustGetRun(run.id);
    const trail = (await a.store.events(run.id)).map((e) => `${e.type}: ${e.cause}`).join("\n");
    expect(final.state, trail).toBe("completed");
    // the first supervisor did the first part, the second the rest
    expect(
      logA.some((l) => l.includes("attempt_submitted")),
      logA.join("\n")
    ).toBe(true);
    expect(
      logB.some((l) => l.includes("run_completed")),
      logB.join("\n")
    ).toBe(true);
    const jobs = await new SlurmClient(new LocalExecutor()).findSubmissions(run.id);
    expect(jobs.map((j) => j.tag?.attempt).sort()).toEqual([1, 2]);
  }, 600_000);
});

import { afterAll, describe, expect, it } from "vitest";
import { createRun } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "./harness.ts";

describe("supervisor on the local Slurm cluster", () => {
  const inputs = scenarioInputs({
    name: "clean",
    trainIters: 60,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "20" }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    removeScenario(inputs);
  });

  it("submits attempt 1 and follows it to completed, with one job and a full event trail", async () => {
    const t = await testRedis("clean");
    cleanup = t.cleanup;
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-1", log);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
    await cycleUntil(sup, async () => (await store.mustGetRun(run.id)).state === "completed", 400);
    const final = await store.mustGetRun(run.id);
    expect(final.state, log.join("\n")).toBe("completed");
    expect(final.attempts).toBe(1);
    const types = (await store.events(run.id)).map((e) => e.type);
    expect(types).toEqual(["run_created", "attempt_submitted", "job_started", "run_completed"]);
    expect(await store.runIds(true)).not.toContain(run.id);
  }, 300_000);
});

import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { createRun } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "./harness.ts";

/**
 * A job that starts and ends between two polls (a short job, or cycles lost to a dropped SSH
 * connection right after an adopted `sbatch`): the supervisor first sees it COMPLETED while the run
 * is still `queued`. It used to stay `queued` for good (no allowed transition to `completed`).
 */
describe("a job that ran entirely between two polls", () => {
  const inputs = scenarioInputs({
    name: "unseen",
    trainIters: 20,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "10" }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    removeScenario(inputs);
  });

  it("is recorded as started, then completed", async () => {
    const t = await testRedis("unseen");
    cleanup = t.cleanup;
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-unseen", log);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
    // one cycle submits; the supervisor is then not cycled until Slurm has the job finished
    await sup.cycle();
    const jobId = (await store.getAttempt(run.id, 1))?.jobId;
    expect(jobId, log.join("\n")).toBeDefined();
    const slurm = new SlurmClient(new LocalExecutor());
    let state = "";
    for (let i = 0; i < 600 && state !== "COMPLETED"; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const inQueue = (await slurm.queue()).find((j) => j.jobId === jobId);
      // sacct may be off (another test turns accounting off); the controller still knows the job for a while
      const ended = inQueue
        ? [inQueue]
        : ((await slurm.accountingRecords([jobId!])) ?? (await slurm.controllerJobs()));
      state = ended.find((j) => j.jobId === jobId)?.state ?? "";
    }
    expect(state).toBe("COMPLETED");
    expect((await store.mustGetRun(run.id)).state).toBe("queued");

    await cycleUntil(sup, async () => (await store.mustGetRun(run.id)).state !== "queued", 5);
    await cycleUntil(sup, async () => (await store.mustGetRun(run.id)).state === "completed", 5);
    await sup.release();
    const events = await store.events(run.id);
    const trail = `${events.map((e) => `${e.type}: ${e.cause}`).join("\n")}\n${log.join("\n")}`;
    expect(
      events.map((e) => e.type),
      trail
    ).toEqual(["run_created", "attempt_submitted", "job_started", "run_completed"]);
    expect((await store.mustGetRun(run.id)).attempts).toBe(1);
  }, 300_000);
});

import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { createRun } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "./harness.ts";

describe("never train from scratch silently", () => {
  // long enough that the job is still running when the guard fires
  const inputs = scenarioInputs({
    name: "noload",
    trainIters: 2000,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "30" }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    removeScenario(inputs);
  });

  it("`Unable to load checkpoint.` (init checkpoint without `latest`) → job cancelled at once, needs_attention", async () => {
    rmSync(join(inputs.spec.init.checkpoint, "latest"));
    const t = await testRedis("noload");
    cleanup = t.cleanup;
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-noload", log);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
    await cycleUntil(sup, async () => (await store.mustGetRun(run.id)).state === "needs_attention", 300);
    const r = await store.mustGetRun(run.id);
    expect(r.state, log.join("\n")).toBe("needs_attention");
    expect(r.attention).toMatch(/Unable to load checkpoint/);
    const ev = (await store.events(run.id)).find((e) => e.type === "needs_attention")!;
    expect(ev.evidence.logLines?.some((l) => l.includes("Unable to load checkpoint."))).toBe(true);

    // the job is cancelled, not left training on fresh weights
    const jobId = (await store.getAttempt(run.id, 1))!.jobId!;
    await cycleUntil(sup, async () => (await store.getAttempt(run.id, 1))?.phase === "ended", 100);
    const [status] = (await new SlurmClient(new LocalExecutor()).findSubmissions(run.id)).filter(
      (j) => j.jobId === jobId
    );
    expect(status?.state).toBe("CANCELLED");
    expect((await store.getAttempt(run.id, 1))!.cancelRequested).toBe(true);
  }, 300_000);
});

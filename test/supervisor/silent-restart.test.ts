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

  // The batch script's pre-flight now stops such a job before any rank starts; the guard on
  // `Unable to load checkpoint.` stays for what the pre-flight cannot see (decide.test.ts).
  it("init checkpoint without `latest` → the job stops in its pre-flight, needs_attention with that line, no retry", async () => {
    rmSync(join(inputs.spec.init.checkpoint, "latest"));
    const t = await testRedis("noload");
    cleanup = t.cleanup;
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-noload", log);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
    await cycleUntil(sup, async () => (await store.mustGetRun(run.id)).state === "needs_attention", 300);
    const r = await store.mustGetRun(run.id);
    expect(r.state, log.join("\n")).toBe("needs_attention");
    expect(r.attention).toMatch(/pre-flight check failed, checkpoint missing or incomplete/);
    const latest = join(inputs.spec.init.checkpoint, "latest");
    const ev = (await store.events(run.id)).find((e) => e.type === "needs_attention")!;
    expect(ev.evidence.logLines).toEqual([`neoxctl-preflight: FAIL checkpoint: ${latest}`]);

    // no rank started and nothing was retried
    const jobId = (await store.getAttempt(run.id, 1))!.jobId!;
    const [status] = (await new SlurmClient(new LocalExecutor()).findSubmissions(run.id)).filter(
      (j) => j.jobId === jobId
    );
    expect(status?.state).toBe("FAILED");
    expect(r.attempts).toBe(1);
  }, 300_000);
});

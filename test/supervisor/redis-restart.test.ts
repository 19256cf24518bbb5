import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRun, connectRedis, Keys, LeaseManager, RunStore, Supervisor } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { localCluster } from "./harness.ts";

// 6390-6392 belong to test/reliability; a port of its own keeps the two suites from meeting
const PORT = 6393;

/** A private Redis (AOF on, as production should run it), so it can be killed without hurting anyone. */
function startRedis(dir: string): Promise<ChildProcess> {
  const p = spawn(
    "redis-server",
    [
      "--port",
      String(PORT),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      ""
    ],
    { stdio: ["ignore", "pipe", "ignore"] }
  );
  return new Promise((res) => {
    p.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("Ready to accept connections")) res(p);
    });
  });
}

describe("Redis killed and restarted mid-run", () => {
  const inputs = scenarioInputs({
    name: "redis",
    trainIters: 120,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "30", NEOX_EMU_CRASH_AT: "60" }
  });
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill("SIGKILL");
    removeScenario(inputs);
  });

  it("the supervisor waits for Redis, loses no event and finishes the run", async () => {
    const dir = join(inputs.root, "redis");
    mkdirSync(dir);
    server = await startRedis(dir);
    const redis = connectRedis(`redis://127.0.0.1:${PORT}`);
    const keys = new Keys("neoxctl-test:redis:");
    const store = new RunStore(redis, keys);
    const cluster = localCluster();
    const sup = new Supervisor(store, new LeaseManager(redis, keys, "sup-redis", 60_000), () => cluster);
    const run = await createRun(store, cluster.exec, { ...inputs, repoRoot: REPO_ROOT });

    let restarted = false;
    for (let i = 0; i < 600; i++) {
      // a cycle in flight when Redis dies blocks until it is back (commands are queued, not failed)
      await sup.cycle().catch(() => undefined);
      const r = await store.mustGetRun(run.id);
      if (r.state === "completed" || r.state === "needs_attention") break;
      if (!restarted && r.state === "running") {
        restarted = true;
        server.kill("SIGKILL");
        await new Promise((res) => setTimeout(res, 1500));
        server = await startRedis(dir);
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    const final = await store.mustGetRun(run.id);
    const events = await store.events(run.id);
    const trail = events.map((e) => `${e.type}: ${e.cause}`).join("\n");
    expect(restarted).toBe(true);
    expect(final.state, trail).toBe("completed");
    expect(
      events.map((e) => e.type),
      trail
    ).toEqual([
      "run_created",
      "attempt_submitted",
      "job_started",
      "recover_app",
      "attempt_submitted",
      "job_started",
      "run_completed"
    ]);
    await sup.release();
    redis.disconnect();
  }, 600_000);
});

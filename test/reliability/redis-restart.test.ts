import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { createRun } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "../supervisor/scenario.ts";
import { localCluster, makeSupervisor } from "../supervisor/harness.ts";
import { PrivateRedis } from "./private-redis.ts";

// Redis killed (SIGKILL) and restarted under a running supervisor. The suite's own Redis on 6390 runs
// with AOF and appendfsync always, the persistence production needs; the shared 6379 is never touched.
const RESTARTS = process.env.NEOXCTL_LONG_TESTS === "1" ? 6 : 2;
const DOWN_MS = process.env.NEOXCTL_LONG_TESTS === "1" ? 20_000 : 3_000;

describe("Redis restarted mid-run", () => {
  const redisServer = new PrivateRedis(6390, null, true);
  const inputs = scenarioInputs({
    name: `redis-restart-${process.pid % 100000}`,
    trainIters: 80,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "60", NEOX_EMU_CRASH_AT: "35" }
  });
  let redis: Redis | undefined;
  afterAll(async () => {
    redis?.disconnect();
    await redisServer.stop();
    removeScenario(inputs);
  });

  it(`the run waits through ${RESTARTS} Redis restarts and completes, no event lost or doubled`, async () => {
    await redisServer.start();
    // as the worker connects: commands wait for a restarting Redis instead of failing
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null, retryStrategy: () => 200 });
    redis.on("error", () => {}); // reconnect attempts while it is down are expected, not news
    const log: string[] = [];
    const { sup, store } = makeSupervisor(redis, "neoxctl-rr:", "sup-rr", log);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });

    let restarts = 0;
    const statesAtRestart: string[] = [];
    let cycles = 0;
    let cycleErrors = 0;
    for (let i = 0; i < 1500; i++) {
      const state = (await store.mustGetRun(run.id)).state;
      if (state === "completed" || state === "needs_attention" || state === "failed") break;
      // restart points: once attempt 1 runs, then once the recovery has happened
      const events = await store.events(run.id);
      const due =
        (restarts === 0 && events.some((e) => e.type === "job_started")) ||
        (restarts >= 1 &&
          restarts < RESTARTS &&
          events.filter((e) => e.type === "job_started").length > restarts);
      if (due) {
        statesAtRestart.push(state);
        await redisServer.kill();
        // the supervisor cycles on while Redis is gone; its commands wait for the restart
        const restart = new Promise<void>((r) => setTimeout(() => void redisServer.start().then(r), DOWN_MS));
        try {
          await sup.cycle();
        } catch {
          cycleErrors++;
        }
        await restart;
        restarts++;
      }
      try {
        await sup.cycle();
      } catch {
        cycleErrors++;
      }
      cycles++;
      await new Promise((r) => setTimeout(r, 250));
    }

    const final = await store.mustGetRun(run.id);
    const events = await store.events(run.id);
    const trail = `${events.map((e) => `${e.type}: ${e.cause}`).join("\n")}\n${log.slice(-20).join("\n")}`;
    console.log(
      `redis-restart: ${restarts} restarts at ${JSON.stringify(statesAtRestart)}, ${cycles} cycles, ${cycleErrors} cycles threw`
    );
    expect(final.state, trail).toBe("completed");
    expect(restarts).toBe(Math.min(RESTARTS, 2));

    // one job per attempt, the one recorded; the state chain has no gap; one submission event per attempt
    const attempts = await store.attempts(final);
    const jobs = await new SlurmClient(new LocalExecutor()).findSubmissions(run.id);
    for (const a of attempts)
      expect(
        jobs.filter((j) => j.tag?.attempt === a.index).map((j) => j.jobId),
        trail
      ).toEqual([a.jobId]);
    expect(jobs).toHaveLength(attempts.length);
    let state: string | undefined;
    for (const e of events) {
      if (e.to === undefined) continue;
      if (state !== undefined) expect(e.from, trail).toBe(state);
      state = e.to;
    }
    expect(events.filter((e) => e.type === "attempt_submitted").map((e) => e.attempt)).toEqual(
      attempts.map((a) => a.index)
    );
    expect(events.filter((e) => e.type === "run_completed")).toHaveLength(1);
    expect(events.some((e) => e.type === "needs_attention" || /fail/i.test(e.type))).toBe(false);
  }, 600_000);
});

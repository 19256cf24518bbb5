import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { createRun, SeriesStore } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "./harness.ts";

const TRAIN_ITERS = 220;
const SPIKE_AT = 150;
const LR = 0.00021;

/**
 * A lingering loss spike with the LR already at the spike policy's min_lr, on the local Slurm cluster:
 * the default `at_min_lr: rollback_new_seed` rolls back at the same LR with the next seed, and the
 * trainer of the next attempt runs with that seed. The emulator's spontaneous spikes are a function
 * of (seed, step) above its instability threshold: at this LR a replay with seed 1234 would spike
 * again at step 175, seed 1235 not before step 228 (past the end), so one rollback finishes the run.
 */
describe("spike at the LR floor on the local Slurm cluster", () => {
  const inputs = scenarioInputs({
    name: "spike-floor",
    trainIters: TRAIN_ITERS,
    lr: LR,
    spike: `min_lr: ${LR}`,
    env: {
      NEOX_EMU_STEP_MS: "40",
      NEOX_EMU_SPIKE_AT: String(SPIKE_AT),
      NEOX_EMU_UNSTABLE_LR: "0.0002"
    }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    removeScenario(inputs);
  });

  it("rolls back at the same LR with seed + 1, which the next attempt's config and trainer carry, and finishes", async () => {
    const t = await testRedis("spike-floor");
    cleanup = t.cleanup;
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-spike-floor", log);
    const series = new SeriesStore(t.redis, store.keys);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
    await cycleUntil(
      sup,
      async () => ["completed", "needs_attention", "failed"].includes((await store.mustGetRun(run.id)).state),
      1500,
      200
    );

    const final = await store.mustGetRun(run.id);
    const events = await store.events(run.id);
    const trail = events.map((e) => `${e.type}: ${e.cause}`).join("\n");
    expect(final.state, `${trail}\n${log.slice(-20).join("\n")}`).toBe("completed");

    const rollbacks = events.filter((e) => e.type === "rollback");
    expect(rollbacks, trail).toHaveLength(1);
    const rollback = rollbacks[0]!;
    expect(rollback.cause).toMatch(
      /at the same LR 2\.100e-4 \(already at the spike policy's min_lr 0\.00021\)/
    );
    expect(rollback.cause).toContain("seed 1234 → 1235");
    expect(rollback.evidence.configDiff?.map((c) => c.field)).toEqual(["load", "seed"]);
    expect(final.rollbacks).toEqual([
      expect.objectContaining({ lrFrom: LR, lrTo: LR, toStep: expect.any(Number) as number })
    ]);

    const attempts = await store.attempts(final);
    const last = attempts.at(-1)!;
    expect(last.params).toMatchObject({ lr: LR, seed: 1235 });
    // what was submitted, and what the trainer says it ran with (NeoX prints the same line)
    expect(readFileSync(`${last.configDir}/neox/attempt.yml`, "utf8")).toContain('"seed": 1235');
    const out = readFileSync(last.logPath, "utf8");
    expect(out).toContain("> setting random seeds to 1235 ...");
    expect(out).not.toContain("> setting random seeds to 1234 ...");
    expect((await series.read(run.id)).filter((p) => p.attempt === last.index).at(-1)?.step).toBe(
      TRAIN_ITERS
    );
  });
});

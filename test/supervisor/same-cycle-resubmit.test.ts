import { afterAll, describe, expect, it } from "vitest";
import { createRun } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { localCluster, makeSupervisor } from "./harness.ts";

const HANG_AT = 15;
const CRASH_AT = 25;

/**
 * When the job a recovery replaces has already ended, the replacement goes to sbatch in the cycle
 * that decided the recovery (one poll interval sooner); a job that is still alive is cancelled and
 * its successor waits for a later poll that shows it gone.
 */
describe("resubmission in the cycle of the recovery decision", () => {
  const inputs = scenarioInputs({
    name: "samecycle",
    trainIters: 40,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "40", NEOX_EMU_HANG_AT: String(HANG_AT), NEOX_EMU_CRASH_AT: String(CRASH_AT) }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    removeScenario(inputs);
  });

  it("submits after an ended job (crash) at once, after a live job (hang) only once it is gone", async () => {
    const t = await testRedis("samecycle");
    cleanup = t.cleanup;
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-samecycle", log);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
    // the event types each cycle committed, from the supervisor's "<run>: <type>: <cause>" lines
    const cycles: string[][] = [];
    const prefix = `${run.id}: `;
    for (let i = 0; i < 800; i++) {
      const before = log.length;
      await sup.cycle();
      cycles.push(
        log
          .slice(before)
          .filter((l) => l.startsWith(prefix))
          .map((l) => l.slice(prefix.length).split(":")[0]!)
      );
      const r = await store.mustGetRun(run.id);
      if (r.state === "completed" || r.state === "needs_attention" || r.state === "failed") break;
      await new Promise((res) => setTimeout(res, 200));
    }
    await sup.release();

    const final = await store.mustGetRun(run.id);
    const events = await store.events(run.id);
    const trail = `${events.map((e) => `${e.type}: ${e.cause}`).join("\n")}\n${cycles
      .map((c, i) => `cycle ${i}: ${c.join(", ")}`)
      .filter((l) => !l.endsWith(": "))
      .join("\n")}`;
    expect(final.state, trail).toBe("completed");
    expect(
      events.filter((e) => e.type.startsWith("recover_")).map((e) => e.type),
      trail
    ).toEqual(["recover_hang", "recover_app"]);

    // hang: the job was RUNNING, so the cycle only records the decision and cancels it
    const hang = cycles.find((c) => c.includes("recover_hang"))!;
    expect(hang, trail).not.toContain("attempt_submitted");
    expect(
      cycles.slice(cycles.indexOf(hang) + 1).some((c) => c.includes("attempt_submitted")),
      trail
    ).toBe(true);
    // crash: the job had ended FAILED, so the decision and the next attempt's sbatch share one cycle
    const crash = cycles.find((c) => c.includes("recover_app"))!;
    expect(crash.slice(crash.indexOf("recover_app")), trail).toEqual(["recover_app", "attempt_submitted"]);

    const attempts = await store.attempts(final);
    expect(
      attempts.slice(0, 2).map((a) => a.endState),
      trail
    ).toEqual(["CANCELLED", "FAILED"]);
    expect(attempts, trail).toHaveLength(3);
    expect(
      attempts.map((a) => a.jobId).every((id) => id !== undefined),
      trail
    ).toBe(true);
  }, 300_000);
});

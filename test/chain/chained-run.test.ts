import { afterAll, describe, expect, it } from "vitest";
import { removeScenario } from "../supervisor/scenario.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { describeOutcome, runChainScenario } from "./chained-run.ts";
import type { ChainOutcome } from "./chained-run.ts";

const seconds = (t: string | null): number => (t ? Date.parse(t) / 1000 : Number.NaN);

describe("chained attempts across 1-minute wall-time limits (local Slurm, emulator)", () => {
  let out: ChainOutcome | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    if (out) removeScenario(out.inputs);
  });

  it("completes through planned endings with each continuation queued before its predecessor ends, no step lost, and a rollback that replaces the queued continuation", async ({
    onTestFailed
  }) => {
    // any failed assertion below prints the whole story: events, sacct and controller views of every job, handovers
    onTestFailed(() => {
      console.error(out ? describeOutcome(out) : "chain run: no outcome (the scenario itself threw)");
    });
    const t = await testRedis("chain");
    cleanup = t.cleanup;
    // a NaN at 260 lands in attempt 2 (planned to exit near 200, 400 …) after attempt 3 is already queued
    out = await runChainScenario(t.redis, t.prefix, {
      name: "chain",
      trainIters: 520,
      stepMs: 200,
      chain: true,
      env: { NEOX_EMU_NAN_AT: "260" }
    });
    const why = `${out.log.join("\n")}\n${out.events.map((e) => `${e.type}: ${e.cause}`).join("\n")}`;
    expect(out.state, why).toBe("completed");

    const types = out.events.map((e) => e.type);
    const planned = out.events.filter((e) => e.type === "planned_continuation");
    expect(planned.length, why).toBeGreaterThanOrEqual(2);
    // planned endings spend no budget; only the rollback does
    const run = out.events.at(-1);
    expect(run?.type).toBe("run_completed");
    expect(types).toContain("rollback");
    expect(types).toContain("continuation_replaced");
    // (other tests on the shared cluster may set nodes DOWN: node recoveries can happen, timeouts must not)
    expect(types).not.toContain("recover_timeout");

    // every planned ending: successor submitted before the predecessor ended, resumes at exit + 1
    expect(out.handovers.length).toBe(planned.length);
    for (const h of out.handovers) {
      expect(h.queuedBeforeEnd, JSON.stringify(h)).toBe(true);
      expect(h.stepsLost, JSON.stringify(h)).toBe(0);
      expect(h.exitAt % 10).toBe(0);
    }

    // the rollback: the stale continuation never ran, and was cancelled by the chain
    const replaced = out.events.find((e) => e.type === "continuation_replaced")!;
    const oldId = String(replaced.evidence.detail?.["oldJobId"]);
    const old = out.jobs.find((j) => j.jobId === oldId);
    expect(old?.state).toBe("CANCELLED");
    expect(old?.startTime ?? null).toBeNull();

    // exactly one job ran per attempt, and no two jobs of the run ever ran at once (a job counts as
    // started when sacct or the controller saw it allocated, from its first allocation to its last
    // instance's end if Slurm requeued it: see mergeJobRecord)
    const ran = out.jobs.filter((j) => j.startTime !== null);
    expect(ran.map((j) => j.tag?.attempt)).toEqual(out.attempts.map((a) => a.index));
    for (let i = 1; i < ran.length; i++)
      expect(seconds(ran[i]!.startTime)).toBeGreaterThanOrEqual(seconds(ran[i - 1]!.endTime));
    // none of the run's jobs hit its time limit
    expect(out.jobs.filter((j) => j.state === "TIMEOUT")).toEqual([]);
    expect(
      out.sources.filter((s) => s.instances.some((i) => i.state === "TIMEOUT")).map((s) => s.jobId)
    ).toEqual([]);
  }, 900_000);
});

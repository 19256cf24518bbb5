import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rigFactory, startCurrent, trainLines } from "../testing/rig.test-support.ts";
import type { Rig } from "../testing/rig.test-support.ts";
import { SeriesStore } from "../store/series-store.ts";
import type { Attempt } from "../model.ts";
import { accountRun } from "./account.ts";
import { GOODPUT_CATEGORIES, splitTotal } from "./categories.ts";

const rigs = rigFactory({ beforeAll, afterEach, afterAll });
const MIN = 60_000;

async function account(rig: Rig) {
  const run = await rig.run();
  const series = new SeriesStore(rig.store.redis, rig.store.keys, rig.store.corrupt);
  return accountRun({
    run,
    attempts: await rig.store.attempts(run),
    events: await rig.events(),
    points: await series.read(run.id),
    now: rig.now()
  });
}

describe("accountRun on runs recorded by the worker", () => {
  it("a node failure and a hang: every second of the wall clock lands in one category", async () => {
    const rig = await rigs({
      trainIters: 40,
      resilience: "{hang: {k: 10, floor_s: 60, startup_grace_s: 600}}"
    });
    rig.advance(3 * MIN); // before the first submission
    const job1 = await startCurrent(rig);
    rig.advance(4 * MIN); // startup
    await rig.log(1, trainLines(1, 5));
    await rig.cycle();
    rig.advance(20 * MIN);
    await rig.log(1, trainLines(6, 25));
    rig.checkpoint(10);
    rig.checkpoint(20);
    await rig.cycle();
    rig.advance(2 * MIN);
    rig.slurm.end(job1, "NODE_FAIL", { failedNodes: ["nid002"] });
    await rig.cycle();
    expect((await rig.attempt(2)).reason).toBe("node");
    rig.advance(30 * MIN); // queue wait of the replacement
    const job2 = await rig.jobId(2);
    rig.slurm.start(job2, ["nid001", "nid003"]);
    await rig.cycle();
    rig.advance(5 * MIN);
    await rig.log(2, trainLines(21, 30));
    rig.checkpoint(30);
    await rig.cycle();
    rig.advance(15 * MIN); // hung: no new step
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("recover_hang");
    const g = await account(rig);
    const run = await rig.run();
    expect(g.wallS).toBe((rig.now() - Date.parse(run.createdAt)) / 1000);
    expect(splitTotal(g.split)).toBeCloseTo(g.wallS, 6);
    for (const c of GOODPUT_CATEGORIES) expect(g.split[c]).toBeGreaterThanOrEqual(0);
    expect(g.split.queue).toBeGreaterThanOrEqual(33 * 60);
    expect(g.split.recompute).toBeGreaterThan(0); // steps 21-25 were trained twice
    expect(g.split.detection).toBeGreaterThanOrEqual(15 * 60);
    expect(g.split.productive).toBeGreaterThan(0);
    expect(g.ett).toBeGreaterThan(0);
    expect(g.ett).toBeLessThan(1);
  });
});

describe("accountRun", () => {
  const at = (m: number): string => new Date(Date.UTC(2025, 0, 1) + m * MIN).toISOString();
  const attempt = (
    index: number,
    reason: Attempt["reason"],
    from: number,
    created: number,
    ended?: number
  ) => ({
    index,
    reason,
    params: {
      load: from ? { kind: "resume" as const, iteration: from } : { kind: "init" as const },
      lr: 1e-4,
      seed: 1,
      excludeNodes: []
    },
    createdAt: at(created),
    ...(ended !== undefined ? { endedAt: at(ended) } : {})
  });

  it("charges a rollback's discarded steps to rollback and the stop to human_wait", () => {
    const g = accountRun({
      run: { createdAt: at(0), updatedAt: at(400), state: "completed" },
      attempts: [
        attempt(1, "first", 0, 0, 100),
        attempt(2, "spike", 50, 100, 200),
        attempt(3, "manual", 100, 300)
      ],
      events: [
        { type: "job_started", time: at(10), attempt: 1 },
        { type: "job_started", time: at(110), attempt: 2 },
        { type: "needs_attention", time: at(200), attempt: 2 },
        { type: "resumed_by_user", time: at(290), attempt: 2 },
        { type: "job_started", time: at(310), attempt: 3 }
      ],
      points: [
        { step: 10, attempt: 1, time: at(20) },
        { step: 90, attempt: 1, time: at(100) },
        { step: 60, attempt: 2, time: at(120) },
        { step: 100, attempt: 2, time: at(160) },
        { step: 110, attempt: 3, time: at(320) },
        { step: 200, attempt: 3, time: at(390) }
      ],
      now: Date.UTC(2030, 0, 1)
    });
    expect(splitTotal(g.split)).toBeCloseTo(400 * 60, 6);
    // attempt 1 trained 10→90 in 80 min; steps 50→90 were thrown away by the rollback
    expect(g.split.rollback).toBeCloseTo(40 * 60, 6);
    expect(g.split.human_wait).toBeCloseTo(90 * 60, 6);
    expect(g.split.checkpoint).toBeCloseTo(10 * 60, 6);
  });
});

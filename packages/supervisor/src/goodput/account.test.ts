import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rigFactory, startCurrent, trainLines } from "../testing/rig.test-support.ts";
import type { Rig } from "../testing/rig.test-support.ts";
import { SeriesStore } from "../store/series-store.ts";
import type { Attempt } from "../model.ts";
import { sampleGraph } from "../graph/graph.test-support.ts";
import { completeStep } from "../testing/graph-rig.test-support.ts";
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

describe("accountRun on a job graph run recorded by the worker", () => {
  it("steps before and after training land in workflow_steps, and the split still adds up to the wall clock", async () => {
    const graph = sampleGraph("/cluster/g");
    const rig = await rigs({ trainIters: 40, graph });
    rig.advance(2 * MIN);
    await rig.cycle(); // convert and tokenize submitted
    rig.advance(1 * MIN);
    await rig.cycle(); // merge queued behind tokenize
    rig.advance(20 * MIN);
    completeStep(rig, graph, "convert");
    completeStep(rig, graph, "tokenize");
    await rig.cycle();
    rig.advance(15 * MIN);
    completeStep(rig, graph, "merge");
    await rig.cycle(); // merge verified: attempt 1 submitted in the same cycle
    expect(await rig.types()).toContain("attempt_submitted");
    const trainFrom = rig.now();
    rig.advance(5 * MIN); // attempt 1 in Slurm's queue
    const job = await rig.jobId(1);
    rig.slurm.start(job, ["nid001", "nid002"]);
    await rig.cycle();
    rig.advance(3 * MIN); // startup
    await rig.log(1, trainLines(1, 5));
    await rig.cycle();
    rig.advance(20 * MIN);
    await rig.log(1, trainLines(6, 40));
    rig.checkpoint(40);
    rig.slurm.end(job, "COMPLETED", { exitCode: 0 });
    await rig.cycle(); // training done: the graph's turn again
    const trainTo = rig.now();
    expect((await rig.run()).state).toBe("running");
    rig.advance(1 * MIN);
    await rig.cycle(); // export submitted
    rig.advance(12 * MIN);
    completeStep(rig, graph, "export");
    await rig.cycle();
    const run = await rig.run();
    expect(run.state).toBe("completed");
    expect((await rig.types()).at(-1)).toBe("run_completed");

    const g = await account(rig);
    const t0 = Date.parse(run.createdAt);
    expect(g.wallS).toBe((rig.now() - t0) / 1000);
    expect(splitTotal(g.split)).toBeCloseTo(g.wallS, 6);
    for (const c of GOODPUT_CATEGORIES) expect(g.split[c]).toBeGreaterThanOrEqual(0);
    // before training: creation to attempt 1's submission; after: training done to the run's end
    const before = (trainFrom - t0) / 1000;
    const after = (rig.now() - trainTo) / 1000;
    expect(before).toBe(38 * 60);
    expect(after).toBe(13 * 60);
    expect(g.split.workflow_steps).toBeCloseTo(before + after, 6);
    expect(g.split.queue).toBeCloseTo(5 * 60, 6);
    expect(g.split.startup).toBeCloseTo(3 * 60, 6);
    expect(g.split.productive).toBeCloseTo(20 * 60, 6);
    expect(g.split.detection + g.split.human_wait + g.split.recompute).toBe(0);
    expect(g.ett).toBeCloseTo((20 * 60) / g.wallS, 9);
    expect(g.ettTraining).toBeCloseTo((20 * 60) / (g.wallS - before - after), 9);
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

  it("a graph run: a failed step's stop is human_wait, the rest of the steps workflow_steps, before and after training", () => {
    const graph = { graph: sampleGraph(), steps: [] };
    const g = accountRun({
      run: { createdAt: at(0), updatedAt: at(0), state: "needs_attention", graph },
      attempts: [attempt(1, "first", 0, 0, 200)],
      events: [
        { type: "run_created", time: at(0) },
        { type: "step_submitted", time: at(1) },
        { type: "step_failed", time: at(30) },
        { type: "resumed_by_user", time: at(50) },
        { type: "step_retried", time: at(50) },
        { type: "step_completed", time: at(90) },
        { type: "attempt_submitted", time: at(90), attempt: 1 },
        { type: "job_started", time: at(100), attempt: 1 },
        { type: "step_completed", time: at(200) },
        { type: "step_submitted", time: at(201) },
        { type: "step_failed", time: at(230) }
      ],
      points: [
        { step: 1, attempt: 1, time: at(110) },
        { step: 100, attempt: 1, time: at(190) }
      ],
      now: Date.parse(at(300))
    });
    expect(g.wallS).toBe(300 * 60);
    expect(splitTotal(g.split)).toBeCloseTo(300 * 60, 6);
    // 0→30 and 50→90 before training, 200→230 after it (export, until it failed)
    expect(g.split.workflow_steps).toBeCloseTo(100 * 60, 6);
    // 30→50 (resumed), 230→300 (still waiting)
    expect(g.split.human_wait).toBeCloseTo(90 * 60, 6);
    expect(g.split.queue).toBeCloseTo(10 * 60, 6);
    expect(g.split.startup).toBeCloseTo(10 * 60, 6);
    expect(g.split.productive).toBeCloseTo(80 * 60, 6);
    expect(g.split.checkpoint).toBeCloseTo(10 * 60, 6);
    expect(g.ett).toBeCloseTo(80 / 300, 9);
    expect(g.ettTraining).toBeCloseTo(80 / 200, 9);
  });

  it("a graph run still in its steps before training: all of its clock is workflow_steps", () => {
    const g = accountRun({
      run: {
        createdAt: at(0),
        updatedAt: at(0),
        state: "planned",
        graph: { graph: sampleGraph(), steps: [] }
      },
      attempts: [attempt(1, "first", 0, 0)],
      events: [
        { type: "run_created", time: at(0) },
        { type: "step_submitted", time: at(1) }
      ],
      points: [],
      now: Date.parse(at(45))
    });
    expect(g.split.workflow_steps).toBeCloseTo(45 * 60, 6);
    expect(splitTotal(g.split)).toBeCloseTo(45 * 60, 6);
    expect(g.ett).toBe(0);
    expect(g.ettTraining).toBeUndefined();
  });
});

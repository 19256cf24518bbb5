import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rigFactory, startCurrent, trainLine, trainLines } from "../testing/rig.test-support.ts";

const rigs = rigFactory({ beforeAll, afterEach, afterAll });

describe("the supervisor loop over a fake Slurm: a clean run", () => {
  it("submits attempt 1, sees it start, completes the run", async () => {
    const rig = await rigs();
    await rig.cycle();
    expect(rig.slurm.submits.map((s) => s.attempt)).toEqual([1]);
    const job = await startCurrent(rig);
    expect((await rig.run()).state).toBe("running");
    await rig.log(1, trainLines(1, 100));
    rig.slurm.end(job, "COMPLETED", { exitCode: 0 });
    await rig.cycle();
    expect(await rig.types()).toEqual(["run_created", "attempt_submitted", "job_started", "run_completed"]);
    expect((await rig.run()).state).toBe("completed");
    expect(rig.reported.map((r) => r.type)).toEqual(["attempt_submitted", "job_started", "run_completed"]);
  });

  it("makes no decision while Slurm is unreachable", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig);
    rig.slurm.unavailable = true;
    rig.slurm.end(job, "NODE_FAIL", { failedNodes: ["nid002"] });
    const report = await rig.cycle();
    expect(report.slurmUnavailable).toBe(true);
    expect((await rig.run()).state).toBe("running");
    expect(rig.slurm.submits).toHaveLength(1);
  });

  it("gives a job that ran between two polls its job_started before judging its end", async () => {
    const rig = await rigs();
    await rig.cycle();
    const job = await rig.jobId();
    await rig.log(1, trainLines(1, 100));
    rig.slurm.end(job, "COMPLETED", { exitCode: 0 });
    rig.slurm.job(job).nodes = ["nid003"];
    await rig.cycle();
    const events = await rig.events();
    expect(events.map((e) => e.type)).toEqual([
      "run_created",
      "attempt_submitted",
      "job_started",
      "run_completed"
    ]);
    expect(events[2]?.evidence.detail).toEqual({ seenAfterStart: true });
  });

  it("stores the log's training points with the offset that covers them", async () => {
    const rig = await rigs();
    await startCurrent(rig);
    await rig.log(1, trainLine(1) + trainLine(2) + "half a li");
    await rig.cycle();
    const a = await rig.attempt(1);
    expect(a.logOffset).toBe(Buffer.byteLength(trainLine(1) + trainLine(2)));
  });
});

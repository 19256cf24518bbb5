import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { StateError } from "@neoxctl/core";
import { FakeSlurm } from "../testing/fake-slurm.test-support.ts";
import { rigFactory } from "../testing/rig.test-support.ts";
import { fencedSlurm } from "./fenced-slurm.ts";

const rigs = rigFactory({ beforeAll, afterEach, afterAll });
const SUBMIT = { scriptPath: "/r/job.sbatch", cwd: "/r", runId: "r1", attempt: 1, nonce: "abc123" };

describe("fencedSlurm", () => {
  it("renews the lease before every Slurm change and sends none once it is lost; reads never ask", async () => {
    const slurm = new FakeSlurm();
    let held = true;
    let renewals = 0;
    const port = fencedSlurm(slurm, "r1", async () => {
      renewals++;
      return held;
    });
    const job = await port.submit(SUBMIT);
    await port.release(job);
    await port.poll([job]);
    await port.findSubmissions("r1");
    await port.downNodes([]);
    expect(renewals).toBe(2);
    held = false;
    await expect(port.submit(SUBMIT)).rejects.toMatchObject({ code: "LOCK_HELD" });
    await expect(port.cancel(job)).rejects.toBeInstanceOf(StateError);
    await expect(port.release(job)).rejects.toMatchObject({ code: "LOCK_HELD" });
    await expect(
      port.submitStep({
        scriptPath: "/r/s.sh",
        cwd: "/r",
        runId: "r1",
        afterOk: [],
        exclude: [],
        partition: "p",
        output: "/r/%j.out",
        nonce: "n1"
      })
    ).rejects.toMatchObject({ code: "LOCK_HELD" });
    expect(slurm.submits).toHaveLength(1);
    expect(slurm.cancels).toEqual([]);
    expect(slurm.releases).toEqual([job]);
  });

  it("a supervisor whose run was taken over while it looked for the job does not sbatch; the run is submitted once", async () => {
    const rig = await rigs();
    const { redis, keys } = rig.store;
    // between this supervisor's look at the queue and its sbatch, its lease lapses and another
    // supervisor takes the run (it stalled; the other one holds the lease now)
    const look = rig.slurm.findSubmissions.bind(rig.slurm);
    let takenOver = false;
    rig.slurm.findSubmissions = async (runId) => {
      if (!takenOver) {
        takenOver = true;
        await redis.set(keys.lease(runId), "other-supervisor#999");
      }
      return look(runId);
    };
    const first = await rig.cycle();
    expect(first.errors.join("\n")).toContain("LOCK_HELD");
    expect(rig.slurm.submits).toEqual([]);
    expect((await rig.attempt(1)).phase).toBe("submitting");
    // the other supervisor goes away; this one takes the run back and submits it, once
    await redis.del(keys.lease(rig.runId));
    const second = await rig.cycle();
    expect(second.errors).toEqual([]);
    expect(rig.slurm.submits).toHaveLength(1);
    expect((await rig.attempt(1)).jobId).toBe(rig.slurm.jobOf(rig.runId, 1).jobId);
    expect(await rig.types()).toEqual(["run_created", "attempt_submitted"]);
  });
});

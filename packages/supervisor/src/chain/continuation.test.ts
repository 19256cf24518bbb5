import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rigFactory, startCurrent, trainLine, trainLines } from "../testing/rig.test-support.ts";
import type { Rig } from "../testing/rig.test-support.ts";
import { readChain } from "./chain-record.ts";

const rigs = rigFactory({ beforeAll, afterEach, afterAll });

/**
 * 30 s per step (the prior) in a 1 h job with a 30 min margin and 5 min startup: attempt 1 plans to
 * exit at iteration 40 of 100. Once it has logged a few steps, attempt 2 is queued behind it.
 */
async function withQueuedContinuation(stepMs?: number): Promise<{ rig: Rig; job1: string; next: string }> {
  const rig = await rigs({ chainPriors: { stepMs: 30_000, saveS: 10 } });
  const job1 = await startCurrent(rig);
  expect((await readChain(rig.store, rig.runId)).exits[0]).toMatchObject({ attempt: 1, exitAt: 40 });
  await rig.log(
    1,
    stepMs === undefined ? trainLines(1, 5) : [1, 2, 3, 4, 5].map((s) => trainLine(s, 2.5, stepMs)).join("")
  );
  await rig.cycle();
  expect((await rig.types()).at(-1)).toBe("continuation_queued");
  const queued = (await readChain(rig.store, rig.runId)).queued;
  expect(queued).toMatchObject({ attempt: 2, phase: "queued", dependency: `afterok:${job1},singleton` });
  return { rig, job1, next: queued!.jobId! };
}

describe("wall-time chaining over a fake Slurm", () => {
  it("a planned exit hands over to the continuation already queued (adopted, no new sbatch)", async () => {
    const { rig, job1, next } = await withQueuedContinuation();
    expect(rig.slurm.submits.map((s) => s.attempt)).toEqual([1, 2]);
    await rig.log(1, trainLines(6, 40) + "rank: 0 | time: 1 | exiting the program at iteration 40\n");
    rig.checkpoint(40);
    rig.slurm.end(job1, "COMPLETED", { exitCode: 0 });
    await rig.cycle();
    expect((await rig.types()).slice(-2)).toEqual(["planned_continuation", "attempt_submitted"]);
    const a2 = await rig.attempt(2);
    expect(a2).toMatchObject({
      reason: "planned",
      jobId: next,
      params: { load: { kind: "resume", iteration: 40 } }
    });
    expect((await rig.events()).at(-1)?.evidence.detail).toMatchObject({ continuation: "adopted" });
    expect(rig.slurm.submits).toHaveLength(2);
    expect((await rig.run()).budgetsUsed).toEqual({ node: 0, timeout: 0, app: 0, spike: 0, hang: 0 });
  });

  it("an exit moved earlier by an in-job restart (spare nodes) still hands over, within half the exit margin", async () => {
    const { rig, job1, next } = await withQueuedContinuation(30_000);
    // the restart cost 12 steps: 12 × 30 s = 6 min, within half of the 30 min margin
    await rig.log(
      1,
      trainLines(6, 20) +
        "neoxctl-restart: in-job restart 1/2 on nid001,nid003 without nid002 from checkpoint 20\n" +
        "Loading checkpoint and starting from iteration 20\n" +
        trainLines(21, 28) +
        "rank: 0 | time: 1 | exiting the program at iteration 28\n"
    );
    rig.checkpoint(20);
    rig.checkpoint(28);
    // the lost node is blamed (excluded from now on) and still DOWN: Slurm keeps the continuation off it
    rig.slurm.setDown(["nid002"]);
    rig.slurm.end(job1, "COMPLETED", { exitCode: 0 });
    await rig.cycle(); // records the restart
    await rig.cycle();
    expect((await rig.types()).filter((t) => t === "in_job_restart")).toHaveLength(1);
    expect((await rig.attempt(2))?.params.load).toEqual({ kind: "resume", iteration: 28 });
    expect((await rig.attempt(2))?.jobId).toBe(next);
    expect((await rig.attempt(2))?.params.excludeNodes).toEqual(["nid002"]);
    expect(rig.slurm.submits).toHaveLength(2);
  });

  it("an exit moved further than half the exit margin replaces the continuation", async () => {
    const { rig, job1, next } = await withQueuedContinuation(30_000);
    // 40 − 8 = 32 steps × 30 s = 16 min: the continuation could run into its limit
    await rig.log(1, trainLines(6, 8) + "rank: 0 | time: 1 | exiting the program at iteration 8\n");
    rig.checkpoint(8);
    rig.slurm.end(job1, "COMPLETED", { exitCode: 0 });
    await rig.cycle();
    expect((await rig.attempt(2))?.params.load).toEqual({ kind: "resume", iteration: 8 });
    expect((await rig.attempt(2))?.jobId).not.toBe(next);
    expect(rig.slurm.cancels).toEqual([next]);
  });

  it("any other ending replaces the queued continuation: held submit, old one cancelled, new one released", async () => {
    const { rig, job1, next } = await withQueuedContinuation();
    rig.checkpoint(10);
    rig.slurm.end(job1, "NODE_FAIL", { failedNodes: ["nid002"] });
    await rig.cycle();
    expect((await rig.types()).slice(-3)).toEqual([
      "recover_node",
      "continuation_replaced",
      "attempt_submitted"
    ]);
    const replacement = rig.slurm.jobOf(rig.runId, 2);
    expect(replacement.jobId).not.toBe(next);
    expect(replacement.input.hold).toBe(true);
    expect(rig.slurm.cancels).toEqual([next]);
    expect(rig.slurm.releases).toEqual([replacement.jobId]);
    expect(await rig.attempt(2)).toMatchObject({
      jobId: replacement.jobId,
      params: { excludeNodes: ["nid002"] }
    });
    const chain = await readChain(rig.store, rig.runId);
    expect(chain.discarded).toEqual([next]);
    expect(chain.replacing).toBeUndefined();
  });

  it("a run that stops cancels the queued continuation so it cannot start on its own", async () => {
    const { rig, job1, next } = await withQueuedContinuation();
    rig.slurm.forget(job1);
    await rig.cycle();
    expect((await rig.types()).slice(-2)).toEqual(["needs_attention", "continuation_cancelled"]);
    expect(rig.slurm.cancels).toEqual([next]);
    expect((await readChain(rig.store, rig.runId)).queued).toBeUndefined();
  });
});

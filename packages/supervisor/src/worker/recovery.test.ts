import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JobViewState } from "../ports.ts";
import { rigFactory, startCurrent, trainLines, type Rig } from "../testing/rig.test-support.ts";

const rigs = rigFactory({ beforeAll, afterEach, afterAll });
const MIN = 60_000;

/** a job in Slurm tagged for attempt 1 of the rig's run, as an sbatch with `nonce` made it; ended in `state` if given */
async function tagged(rig: Rig, nonce: string | undefined, state?: JobViewState): Promise<string> {
  const id = await rig.slurm.submit({ scriptPath: "/x", cwd: "/x", runId: rig.runId, attempt: 1, nonce });
  if (state) rig.slurm.end(id, state);
  return id;
}

describe("recovery paths of the worker, over a fake Slurm", () => {
  it("node failure: blames the node Slurm names and resubmits from the newest checkpoint without it, in the same cycle", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig, ["nid001", "nid002"]);
    await rig.log(1, trainLines(1, 25));
    rig.checkpoint(10);
    rig.checkpoint(20);
    rig.slurm.end(job, "NODE_FAIL", { failedNodes: ["nid002"] });
    await rig.cycle();
    expect((await rig.types()).slice(-2)).toEqual(["recover_node", "attempt_submitted"]);
    const a2 = await rig.attempt(2);
    expect(a2.params).toMatchObject({ load: { kind: "resume", iteration: 20 }, excludeNodes: ["nid002"] });
    expect(a2.jobId).toBe(rig.slurm.jobOf(rig.runId, 2).jobId);
    expect((await rig.attempt(1)).endState).toBe("NODE_FAIL");
    const run = await rig.run();
    expect(run.state).toBe("queued");
    expect(run.budgetsUsed.node).toBe(1);
    expect((await rig.store.badNodes(rig.runId, rig.now())).map((b) => b.node)).toEqual(["nid002"]);
    expect(rig.reported.map((r) => r.type)).toContain("recover_node");
  });

  it("node DOWN under a running job: cancels it and submits the successor only once Slurm shows it gone", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig, ["nid001", "nid002"]);
    await rig.log(1, trainLines(1, 12));
    rig.checkpoint(10);
    rig.slurm.setDown(["nid001"]);
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("recover_node");
    expect(rig.slurm.cancels).toEqual([job]);
    expect((await rig.attempt(1)).cancelRequested).toBe(true);
    expect(rig.slurm.submits).toHaveLength(1);
    // the fake's cancel ends the job at once; the next poll sees it CANCELLED and the successor goes
    await rig.cycle();
    expect(rig.slurm.submits.map((s) => s.attempt)).toEqual([1, 2]);
    expect((await rig.attempt(2)).params.excludeNodes).toEqual(["nid001"]);
  });

  it("timeout: resumes from the newest complete checkpoint with the same parameters", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig);
    await rig.log(1, trainLines(1, 35));
    rig.checkpoint(30);
    rig.slurm.end(job, "TIMEOUT");
    await rig.cycle();
    expect((await rig.types()).slice(-2)).toEqual(["recover_timeout", "attempt_submitted"]);
    const a2 = await rig.attempt(2);
    expect(a2.reason).toBe("timeout");
    expect(a2.params).toMatchObject({ load: { kind: "resume", iteration: 30 }, lr: 1e-4, excludeNodes: [] });
    expect((await rig.run()).budgetsUsed.timeout).toBe(1);
  });

  it("hang: no progress past the hang threshold cancels the job and resumes", async () => {
    const rig = await rigs({ resilience: "{hang: {k: 10, floor_s: 2, startup_grace_s: 5}}" });
    const job = await startCurrent(rig);
    await rig.log(1, trainLines(1, 15));
    rig.checkpoint(10);
    await rig.cycle();
    expect((await rig.run()).state).toBe("running");
    rig.advance(10 * MIN);
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("recover_hang");
    expect(rig.slurm.cancels).toEqual([job]);
    await rig.cycle();
    expect((await rig.attempt(2)).params.load).toEqual({ kind: "resume", iteration: 10 });
    expect((await rig.types()).at(-1)).toBe("attempt_submitted");
  });

  it("loss spike that does not recover: rolls back before the onset with a lower LR", async () => {
    const rig = await rigs({
      resilience:
        "{spike: {recover_window_steps: 5, rollback_min_steps_before: 10, rollback_window_steps: 1000}}"
    });
    const job = await startCurrent(rig);
    for (const s of [10, 20, 30, 40]) rig.checkpoint(s);
    await rig.log(1, trainLines(1, 40) + trainLines(41, 50, () => 9));
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("rollback");
    const run = await rig.run();
    expect(run.rollbacks).toEqual([{ attempt: 1, onsetStep: 41, toStep: 30, lrFrom: 1e-4, lrTo: 1e-4 / 3 }]);
    expect(run.budgetsUsed.spike).toBe(1);
    expect(rig.slurm.cancels).toEqual([job]);
    await rig.cycle();
    const a2 = await rig.attempt(2);
    expect(a2.params).toMatchObject({ load: { kind: "resume", iteration: 30 }, lr: 1e-4 / 3 });
    expect(a2.diff.map((d) => d.field)).toEqual(["load", "lr"]);
  });

  it("loss spike with the LR already at spike.min_lr: rolls back at the same LR with a new seed, which the next attempt's NeoX config carries", async () => {
    const rig = await rigs({
      resilience:
        "{spike: {recover_window_steps: 5, rollback_min_steps_before: 10, rollback_window_steps: 1000, min_lr: 0.0001}}"
    });
    const seed = (await rig.run()).params.seed;
    const job = await startCurrent(rig);
    for (const s of [10, 20, 30, 40]) rig.checkpoint(s);
    await rig.log(1, trainLines(1, 40) + trainLines(41, 50, () => 9));
    await rig.cycle();
    const rollback = (await rig.events()).at(-1)!;
    expect(rollback.type).toBe("rollback");
    expect(rollback.cause).toMatch(
      new RegExp(
        `same LR 1\\.000e-4 \\(already at the spike policy's min_lr 0\\.0001\\).* seed ${seed} → ${seed + 1}`
      )
    );
    expect(rollback.evidence.configDiff).toEqual([
      { field: "load", from: { kind: "init" }, to: { kind: "resume", iteration: 30 } },
      { field: "seed", from: seed, to: seed + 1 }
    ]);
    expect(JSON.stringify(rollback.evidence.detail)).toMatch(/bitwise reproducibility/);
    const run = await rig.run();
    expect(run.rollbacks).toEqual([{ attempt: 1, onsetStep: 41, toStep: 30, lrFrom: 1e-4, lrTo: 1e-4 }]);
    expect(run.budgetsUsed.spike).toBe(1);
    expect(rig.slurm.cancels).toEqual([job]);
    await rig.cycle();
    const a2 = await rig.attempt(2);
    expect(a2.params).toMatchObject({ load: { kind: "resume", iteration: 30 }, lr: 1e-4, seed: seed + 1 });
    // what the job reads: the run directory's config (and the attempt's snapshot of it)
    for (const dir of [`${(await rig.run()).runDir}/neox`, `${a2.configDir}/neox`]) {
      const yml = rig.exec.files.get(`${dir}/attempt.yml`)?.data.toString() ?? "";
      expect(yml, dir).toContain(`"seed": ${seed + 1}`);
      expect(yml, dir).toContain('"iteration": 30');
    }
  });

  it("a spike that recovers by itself is noted once and the run goes on", async () => {
    const rig = await rigs({ resilience: "{spike: {recover_window_steps: 20}}" });
    await startCurrent(rig);
    await rig.log(1, trainLines(1, 40) + trainLines(41, 43, () => 9) + trainLines(44, 70));
    await rig.cycle();
    await rig.cycle();
    expect((await rig.types()).filter((t) => t === "spike_recovered")).toHaveLength(1);
    expect((await rig.run()).state).toBe("running");
  });

  it("crash loop: the same step failing crash_loop_limit times needs a human", async () => {
    const rig = await rigs({ resilience: "{crash_loop_limit: 2}" });
    rig.checkpoint(20);
    let job = await startCurrent(rig);
    await rig.log(1, trainLines(1, 25));
    rig.slurm.end(job, "FAILED", { exitCode: 1 });
    await rig.cycle();
    expect((await rig.types()).slice(-2)).toEqual(["recover_app", "attempt_submitted"]);
    expect((await rig.run()).crashLoop).toEqual({ step: 25, count: 1 });
    job = await startCurrent(rig);
    await rig.log(2, trainLines(21, 25));
    rig.slurm.end(job, "FAILED", { exitCode: 1 });
    await rig.cycle();
    const run = await rig.run();
    expect(run.state).toBe("needs_attention");
    expect(run.attention).toMatch(/crash loop, limit 2/);
    expect(rig.slurm.submits).toHaveLength(2);
    expect((await rig.attempt(2)).phase).toBe("ended");
  });

  it("budget spent: a node failure beyond the node budget needs a human", async () => {
    const rig = await rigs({ resilience: "{budgets: {node: 1}}" });
    let job = await startCurrent(rig);
    rig.slurm.end(job, "NODE_FAIL", { failedNodes: ["nid001"] });
    await rig.cycle();
    job = await startCurrent(rig, ["nid002", "nid003"]);
    rig.slurm.end(job, "NODE_FAIL", { failedNodes: ["nid003"] });
    await rig.cycle();
    const run = await rig.run();
    expect(run.state).toBe("needs_attention");
    expect(run.attention).toMatch(/node budget is spent \(1\/1\)/);
    expect(rig.reported.at(-1)?.type).toBe("needs_attention");
  });

  // every attempt is submitted --no-requeue (see plan's sbatch.ts); a requeue that happens anyway
  // (an admin re-enabled it) is taken over: the rerun would load the checkpoint it was rendered with
  it("a requeue by Slurm nobody blames a node for: the job is cancelled and resumed from the newest checkpoint", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig);
    await rig.log(1, trainLines(1, 12));
    rig.checkpoint(10);
    rig.slurm.requeue(job);
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("recover_timeout");
    expect(rig.slurm.cancels).toEqual([job]);
    expect((await rig.attempt(2)).params.load).toEqual({ kind: "resume", iteration: 10 });
  });

  it("a requeue after a node went DOWN: the node is blamed and excluded", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig);
    await rig.log(1, trainLines(1, 12));
    rig.checkpoint(10);
    rig.slurm.setDown(["nid001"]);
    rig.slurm.requeue(job);
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("recover_node");
    expect(rig.slurm.cancels).toEqual([job]);
    expect((await rig.attempt(2)).params.excludeNodes).toEqual(["nid001"]);
  });

  it("a resume that prints `Unable to load checkpoint.` is cancelled before it overwrites anything", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig);
    rig.checkpoint(10);
    rig.slurm.end(job, "TIMEOUT");
    await rig.cycle();
    const job2 = await startCurrent(rig);
    await rig.log(2, "Unable to load checkpoint.\n");
    await rig.cycle();
    const run = await rig.run();
    expect(run.state).toBe("needs_attention");
    expect(run.attention).toMatch(/Unable to load checkpoint/);
    expect(rig.slurm.cancels).toEqual([job2]);
  });

  it("a job Slurm forgot without the log showing the end needs a human", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig);
    rig.slurm.forget(job);
    await rig.cycle();
    expect((await rig.run()).attention).toMatch(/Slurm no longer knows the job/);
  });

  it("re-sends a decided cancel each cycle until Slurm reports the job ended", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig);
    rig.checkpoint(10);
    await rig.log(1, "Unable to load checkpoint.\n");
    // Slurm does not act on the first scancel
    rig.slurm.cancel = async (id) => void rig.slurm.cancels.push(id);
    await rig.cycle();
    expect((await rig.run()).state).toBe("needs_attention");
    await rig.cycle();
    expect(rig.slurm.cancels).toEqual([job, job]);
    rig.slurm.end(job, "CANCELLED");
    await rig.cycle();
    expect(await rig.attempt(1)).toMatchObject({ phase: "ended", endState: "CANCELLED" });
  });

  it("sbatch refusing the first attempt fails the run", async () => {
    const rig = await rigs();
    rig.slurm.rejectNextSubmit("Invalid account or account/partition combination specified");
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("submit_rejected");
    expect((await rig.run()).state).toBe("failed");
  });

  it("adopts a job a crash left behind after sbatch instead of submitting a second", async () => {
    const rig = await rigs();
    const { nonce } = await rig.attempt(1);
    expect(nonce).toMatch(/^[0-9a-f]{12}$/);
    const orphan = await tagged(rig, nonce);
    await rig.cycle();
    expect(await rig.jobId(1)).toBe(orphan);
    expect(rig.slurm.submits).toHaveLength(1);
    expect((await rig.events()).at(-1)?.evidence.detail).toMatchObject({ adoptedAfterRestart: true });
  });

  it("never adopts a job an earlier run under the same run id left in accounting, only this attempt's", async () => {
    const rig = await rigs();
    const { nonce } = await rig.attempt(1);
    // earlier runs that reused the id: the same tag (run, attempt 1), ended long ago, with or without a nonce
    await tagged(rig, "0ld0ld", "COMPLETED");
    await tagged(rig, undefined, "FAILED");
    // then the crash after this attempt's sbatch: its job carries the record's nonce
    const mine = await tagged(rig, nonce);
    await tagged(rig, "ffff", "CANCELLED");
    await rig.cycle();
    expect(await rig.jobId(1)).toBe(mine);
    expect(rig.slurm.submits).toHaveLength(4);
    expect((await rig.events()).at(-1)?.evidence.detail).toMatchObject({ adoptedAfterRestart: true });
  });

  it("with only a stale job of the same tag in Slurm, submits its own job with its nonce", async () => {
    const rig = await rigs();
    const stale = await tagged(rig, "0ld0ld", "COMPLETED");
    await rig.cycle();
    const { nonce, jobId } = await rig.attempt(1);
    expect(jobId).not.toBe(stale);
    expect(rig.slurm.job(jobId!).input.nonce).toBe(nonce);
    expect((await rig.events()).at(-1)?.evidence.detail).not.toHaveProperty("adoptedAfterRestart");
  });
});

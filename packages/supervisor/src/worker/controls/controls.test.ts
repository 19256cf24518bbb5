import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rigFactory, startCurrent, trainLines } from "../../testing/rig.test-support.ts";
import type { Rig } from "../../testing/rig.test-support.ts";
import { requestControl } from "./command.ts";

const rigs = rigFactory({ beforeAll, afterEach, afterAll });

/**
 * A run stopped in needs_attention: attempt 1 ended NODE_FAIL on nid002 (blamed, recovered), attempt 2
 * NODE_FAIL on nid003 with the node budget (1) spent; checkpoints 10 and 20 exist.
 */
async function needingAttention(): Promise<Rig> {
  const rig = await rigs({ resilience: "{budgets: {node: 1}}" });
  let job = await startCurrent(rig);
  await rig.log(1, trainLines(1, 25));
  rig.checkpoint(10);
  rig.checkpoint(20);
  rig.slurm.end(job, "NODE_FAIL", { failedNodes: ["nid002"] });
  await rig.cycle();
  job = await startCurrent(rig, ["nid001", "nid003"]);
  rig.slurm.end(job, "NODE_FAIL", { failedNodes: ["nid003"] });
  await rig.cycle();
  expect((await rig.run()).state).toBe("needs_attention");
  return rig;
}

describe("human controls, carried out by the lease holder", () => {
  it("cancel: scancels the running job and every job tagged with the run, then records cancelled", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig);
    const stray = await rig.slurm.submit({ scriptPath: "/x", cwd: "/x", runId: rig.runId, attempt: 2 });
    await requestControl(rig.store, rig.runId, { kind: "cancel" });
    await rig.cycle();
    expect(rig.slurm.cancels).toEqual([job, stray]);
    const run = await rig.run();
    expect(run.state).toBe("cancelled");
    expect((await rig.types()).at(-1)).toBe("cancelled_by_user");
    expect((await rig.attempt(1)).cancelRequested).toBe(true);
    expect(await rig.store.redis.llen(rig.store.keys.control(rig.runId))).toBe(0);
    expect(await rig.store.runIds(true)).not.toContain(rig.runId);
  });

  it("records who asked on every event the command produces", async () => {
    const rig = await needingAttention();
    await requestControl(rig.store, rig.runId, { kind: "resume", actor: "cli:alice" });
    await requestControl(rig.store, rig.runId, { kind: "cancel" });
    await rig.cycle();
    await rig.cycle();
    const events = await rig.events();
    expect(events.find((e) => e.type === "resumed_by_user")?.actor).toBe("cli:alice");
    expect(events.find((e) => e.type === "cancelled_by_user")?.actor).toBeUndefined();
  });

  it("resume: starts a new attempt from the newest checkpoint, excluding the nodes on the bad list", async () => {
    const rig = await needingAttention();
    await requestControl(rig.store, rig.runId, { kind: "resume" });
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("resumed_by_user");
    const run = await rig.run();
    expect(run).toMatchObject({ state: "recovering", attempts: 3 });
    expect(run.attention).toBeUndefined();
    // a resume keeps the budgets (ack resets them)
    expect(run.budgetsUsed.node).toBe(1);
    const a2 = await rig.attempt(3);
    expect(a2).toMatchObject({ reason: "manual", phase: "submitting" });
    expect(a2.params).toMatchObject({ load: { kind: "resume", iteration: 20 }, excludeNodes: ["nid002"] });
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("attempt_submitted");
  });

  it("exclude: blames the node, cancels the running job and restarts from the newest checkpoint without it", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig, ["nid001", "nid002"]);
    await rig.log(1, trainLines(1, 25));
    rig.checkpoint(10);
    rig.checkpoint(20);
    await rig.cycle();
    await requestControl(rig.store, rig.runId, { kind: "exclude", node: "nid002" });
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("excluded_by_user");
    expect(rig.slurm.cancels).toEqual([job]);
    const a2 = await rig.attempt(2);
    expect(a2).toMatchObject({ reason: "manual" });
    expect(a2.params).toMatchObject({ load: { kind: "resume", iteration: 20 }, excludeNodes: ["nid002"] });
    expect((await rig.store.badNodes(rig.runId, rig.now())).map((b) => b.node)).toEqual(["nid002"]);
    await rig.cycle();
    expect(rig.slurm.submits.map((s) => s.attempt)).toEqual([1, 2]);
  });

  it("exclude: a queued request naming an option-looking node is refused", async () => {
    const rig = await rigs();
    await startCurrent(rig);
    await rig.store.redis.rpush(
      rig.store.keys.control(rig.runId),
      JSON.stringify({ kind: "exclude", node: "--help", at: "x", id: "1" })
    );
    await rig.cycle();
    expect(await rig.types()).toContain("control_rejected");
    expect((await rig.run()).params.excludeNodes).toEqual([]);
    expect(rig.slurm.cancels).toEqual([]);
  });

  it("ack: also resets the budgets and the crash-loop count", async () => {
    const rig = await rigs({ resilience: "{budgets: {app: 0}}" });
    const job = await startCurrent(rig);
    await rig.log(1, trainLines(1, 25));
    rig.checkpoint(20);
    rig.slurm.end(job, "FAILED", { exitCode: 1 });
    await rig.cycle();
    expect((await rig.run()).state).toBe("needs_attention");
    const before = await rig.run();
    before.budgetsUsed.app = 3;
    before.crashLoop = { step: 25, count: 1 };
    await rig.store.commit(null, [rig.store.putRun(before)]);
    await requestControl(rig.store, rig.runId, { kind: "ack" });
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("acknowledged");
    const run = await rig.run();
    expect(run.budgetsUsed.app).toBe(0);
    expect(run.crashLoop).toBeNull();
    expect((await rig.attempt(2)).params.load).toEqual({ kind: "resume", iteration: 20 });
  });

  it("rollback of a running run: new attempt from the named checkpoint with LR × factor; the job is cancelled", async () => {
    const rig = await rigs();
    const job = await startCurrent(rig);
    await rig.log(1, trainLines(1, 35));
    rig.checkpoint(10);
    rig.checkpoint(20);
    rig.checkpoint(30);
    await requestControl(rig.store, rig.runId, { kind: "rollback", toStep: 20, lrFactor: 0.5 });
    await rig.cycle();
    expect((await rig.types()).at(-1)).toBe("rollback_by_user");
    expect(rig.slurm.cancels).toEqual([job]);
    const run = await rig.run();
    expect(run.params).toMatchObject({ load: { kind: "resume", iteration: 20 }, lr: 0.5e-4 });
    expect(run.abandoned).toEqual([{ step: 20, since: rig.now() }]);
    await rig.cycle();
    expect(rig.slurm.submits.map((s) => s.attempt)).toEqual([1, 2]);
    expect((await rig.attempt(2)).diff.map((d) => d.field)).toEqual(["load", "lr"]);
  });

  it("rejects what cannot be done, and records why", async () => {
    const rig = await rigs();
    await startCurrent(rig);
    rig.checkpoint(10);
    await requestControl(rig.store, rig.runId, { kind: "resume" });
    await rig.cycle();
    await requestControl(rig.store, rig.runId, { kind: "rollback", toStep: 40 });
    await rig.cycle();
    const rejected = (await rig.events()).filter((e) => e.type === "control_rejected").map((e) => e.cause);
    expect(rejected).toEqual([
      "resume: run is running, not needs_attention",
      "rollback: no complete checkpoint at step 40 (have 10)"
    ]);
    expect((await rig.run()).state).toBe("running");
    expect(rig.slurm.cancels).toEqual([]);
  });

  it("a command for a run that has ended is rejected", async () => {
    const rig = await rigs();
    await startCurrent(rig);
    await requestControl(rig.store, rig.runId, { kind: "cancel" });
    await rig.cycle();
    // the run left the active set: cycle it explicitly as a stale worker would
    await rig.store.redis.sadd(rig.store.keys.active(), rig.runId);
    await requestControl(rig.store, rig.runId, { kind: "ack" });
    await rig.cycle();
    expect((await rig.events()).at(-1)?.cause).toBe("ack: run is cancelled");
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sampleGraph } from "../graph/graph.test-support.ts";
import { rigFactory } from "../testing/rig.test-support.ts";
import type { Rig } from "../testing/rig.test-support.ts";
import { finishStep, stepJob } from "../testing/graph-rig.test-support.ts";

// The graph's worker step over the fake Slurm and an in-memory cluster: records are read and
// stat-ed there, sbatch options and cancellations recorded by the fake.

const rig = rigFactory({ beforeAll, afterEach, afterAll });
const ROOT = "/cluster/g";
const graph = sampleGraph(ROOT);

/** What a step script leaves behind for one task (the shared rig helper over this file's graph). */
function finish(r: Rig, id: string, task: number): void {
  finishStep(r, graph, id, task);
}

describe("the graph step of the supervisor loop", () => {
  it("submits steps as their inputs become ready and starts training only once they verify", async () => {
    const r = await rig({ graph });
    await r.cycle();
    expect((await r.types()).filter((t) => t === "step_submitted")).toHaveLength(2);
    const tok = r.slurm.stepJobs.get(stepJob(r, "tokenize"))!.input;
    expect(tok).toMatchObject({ tasks: [0, 1, 2], maxConcurrent: 2, afterOk: [], partition: "small" });
    expect(tok.output).toBe("/cluster/run/logs/steps/tokenize-%A_%a.out");
    // merge queues behind the array with afterok
    await r.cycle();
    expect(r.slurm.stepJobs.get(stepJob(r, "merge"))!.input.afterOk).toEqual([stepJob(r, "tokenize")]);

    const convert = stepJob(r, "convert");
    const t = stepJob(r, "tokenize");
    r.slurm.setTask(convert, "COMPLETED");
    for (const i of [0, 1, 2]) r.slurm.setTask(`${t}_${i}`, "COMPLETED");
    finish(r, "convert", 0);
    for (const i of [0, 1, 2]) finish(r, "tokenize", i);
    await r.cycle();
    await r.cycle();
    // merge is still running: its inputs for training are not verified yet, so no attempt
    r.slurm.setTask(stepJob(r, "merge"), "RUNNING", { nodes: ["nid003"] });
    await r.cycle();
    expect(r.slurm.submits).toHaveLength(0);
    expect((await r.run()).state).toBe("planned");
    r.slurm.setTask(stepJob(r, "merge"), "COMPLETED");
    finish(r, "merge", 0);
    await r.cycle();
    expect(r.slurm.submits).toHaveLength(1);
    const run = await r.run();
    expect(run.state).toBe("queued");
    expect(run.graph!.steps.map((s) => [s.id, s.state])).toEqual([
      ["convert", "done"],
      ["tokenize", "done"],
      ["merge", "done"],
      ["train", "running"],
      ["export", "pending"]
    ]);
  });

  it("retries a task on a failed node with --exclude, and stops on a tool error with the task's log lines", async () => {
    const r = await rig({ graph });
    await r.cycle();
    const t = stepJob(r, "tokenize");
    r.slurm.setTask(`${t}_1`, "NODE_FAIL", { nodes: ["nid002"] });
    await r.cycle();
    const retry = stepJob(r, "tokenize");
    expect(retry).not.toBe(t);
    expect(r.slurm.stepJobs.get(retry)!.input).toMatchObject({ tasks: [1], exclude: ["nid002"] });
    expect((await r.types()).filter((x) => x === "step_retried")).toHaveLength(1);

    r.exec.append(
      `/cluster/run/logs/steps/tokenize-${t}_2.out`,
      "tokenize task 2\ntokenize: error: bad input line 3\n"
    );
    r.slurm.setTask(`${t}_2`, "FAILED", { exitCode: 2, nodes: ["nid001"] });
    await r.cycle();
    const run = await r.run();
    expect(run.state).toBe("needs_attention");
    const failed = (await r.events()).find((e) => e.type === "step_failed")!;
    expect(failed.evidence.logLines).toEqual(["tokenize task 2", "tokenize: error: bad input line 3"]);
    expect(r.reported.map((x) => x.type)).toContain("step_failed");
    // everything still queued is cancelled: the first array, its retry, and merge behind it
    expect(r.slurm.cancels).toEqual(expect.arrayContaining([t, retry]));
  });
});

describe("--only a step, over the fake Slurm", () => {
  it("--only tokenize: submits the array alone, never trains, and completes saying only that step ran", async () => {
    const r = await rig({ graph, selection: { only: "tokenize" } });
    await r.cycle();
    expect(stepJobsByStep(r).map((x) => x.split(":")[0])).toEqual(["tokenize"]);
    const t = stepJob(r, "tokenize");
    for (const i of [0, 1, 2]) {
      r.slurm.setTask(`${t}_${i}`, "COMPLETED");
      finish(r, "tokenize", i);
    }
    await r.cycle();
    await r.cycle();
    const run = await r.run();
    expect(run.state).toBe("completed");
    expect(r.slurm.submits).toHaveLength(0);
    expect(stepJobsByStep(r)).toHaveLength(1);
    expect(run.graph!.steps.map((s) => [s.id, s.state])).toEqual([
      ["convert", "not_selected"],
      ["tokenize", "done"],
      ["merge", "not_selected"],
      ["train", "not_selected"],
      ["export", "not_selected"]
    ]);
    const end = (await r.events()).at(-1)!;
    expect(end.type).toBe("run_completed");
    expect(end.cause).toBe(
      "--only tokenize: only step tokenize was run; not run (not selected): convert, merge, train, export"
    );
    expect(end.evidence.detail).toMatchObject({ selection: { only: "tokenize" }, ran: ["tokenize"] });
  });
});

/** Every step job in the fake Slurm, as `<step>:<nonce>` in submission order. */
function stepJobsByStep(r: Rig): string[] {
  return [...r.slurm.stepJobs.values()].map(
    (j) => `${/steps\/([a-z]+)\.sbatch$/.exec(j.input.scriptPath)?.[1] ?? "?"}:${j.input.nonce}`
  );
}

describe("graph step submissions across a supervisor crash", () => {
  it("killed after a step's sbatch: the job is adopted by its nonce on restart, never submitted twice", async () => {
    const r = await rig({ graph });
    r.slurm.crashStepSubmit = { when: "after", script: "convert.sbatch" };
    await r.cycle();
    // the kill came after sbatch made the job and before its id was recorded
    const crashed = (await r.run()).graph!.steps;
    const convert = crashed.find((s) => s.id === "convert")!;
    const tokenize = crashed.find((s) => s.id === "tokenize")!;
    expect([convert.jobIds, convert.submitting.length]).toEqual([[], 1]);
    expect([tokenize.jobIds, tokenize.submitting.length]).toEqual([[], 1]);
    const orphan = stepJob(r, "convert");
    expect(r.slurm.stepJobs.get(orphan)!.input.nonce).toBe(convert.submitting[0]!.nonce);

    await r.cycle();
    const after = (await r.run()).graph!.steps;
    expect(after.find((s) => s.id === "convert")!.jobIds).toEqual([orphan]);
    expect(after.find((s) => s.id === "convert")!.tasks[0]).toMatchObject({ jobId: orphan, state: "queued" });
    // tokenize was recorded but never sent: it goes now, with the nonce it was recorded with
    expect(after.find((s) => s.id === "tokenize")!.jobIds).toEqual([stepJob(r, "tokenize")]);
    // one job per step: merge is decided in the same cycle, behind the array
    expect(stepJobsByStep(r)).toEqual([
      `convert:${convert.submitting[0]!.nonce}`,
      `tokenize:${tokenize.submitting[0]!.nonce}`,
      expect.stringMatching(/^merge:[0-9a-f]{12}$/)
    ]);
    expect(after.every((s) => s.submitting.length === 0)).toBe(true);
    const submitted = (await r.events()).filter((e) => e.type === "step_submitted");
    expect(submitted.map((e) => [e.evidence.detail?.["step"], e.evidence.jobId])).toEqual([
      ["convert", orphan],
      ["tokenize", stepJob(r, "tokenize")],
      ["merge", stepJob(r, "merge")]
    ]);
    expect(submitted[0]!.evidence.detail).toMatchObject({ adoptedAfterRestart: true });
    expect(submitted[1]!.evidence.detail).toMatchObject({ sentAfterRestart: true });

    expect(r.slurm.stepJobs.get(stepJob(r, "merge"))!.input.afterOk).toEqual([stepJob(r, "tokenize")]);
    await r.cycle();
    expect(stepJobsByStep(r)).toHaveLength(3);
  });

  it("killed after an array's sbatch: the array job is adopted with all its tasks", async () => {
    const r = await rig({ graph });
    r.slurm.crashStepSubmit = { when: "after", script: "tokenize.sbatch" };
    await r.cycle();
    const array = stepJob(r, "tokenize");
    await r.cycle();
    const tok = (await r.run()).graph!.steps.find((s) => s.id === "tokenize")!;
    expect(tok.jobIds).toEqual([array]);
    expect(tok.tasks.map((t) => [t.jobId, t.state, t.attempts])).toEqual(
      [0, 1, 2].map(() => [array, "queued", 1])
    );
    expect(stepJobsByStep(r).filter((x) => x.startsWith("tokenize:"))).toHaveLength(1);
  });

  it("killed before sbatch: the recorded submission is sent once on restart", async () => {
    const r = await rig({ graph });
    r.slurm.crashStepSubmit = { when: "before", script: "convert.sbatch" };
    await r.cycle();
    expect(r.slurm.stepJobs.size).toBe(0);
    const nonce = (await r.run()).graph!.steps.find((s) => s.id === "convert")!.submitting[0]!.nonce;
    await r.cycle();
    const convert = (await r.run()).graph!.steps.find((s) => s.id === "convert")!;
    expect(convert.jobIds).toEqual([stepJob(r, "convert")]);
    expect(stepJobsByStep(r)).toEqual([
      `convert:${nonce}`,
      expect.stringMatching(/^tokenize:[0-9a-f]{12}$/),
      expect.stringMatching(/^merge:[0-9a-f]{12}$/)
    ]);
  });

  it("never adopts a step job of an earlier run under the same run id: it sends its own", async () => {
    const r = await rig({ graph });
    // a job an earlier run under this id left behind, still queued, with the same tag but its own nonce
    const stale = await r.slurm.submitStep({
      scriptPath: "/cluster/run/steps/convert.sbatch",
      cwd: "/cluster/run",
      runId: r.runId,
      afterOk: [],
      exclude: [],
      partition: "small",
      output: "/dev/null",
      nonce: "0ld0ld0ld0ld"
    });
    r.slurm.crashStepSubmit = { when: "before", script: "convert.sbatch" };
    await r.cycle();
    await r.cycle();
    const convert = (await r.run()).graph!.steps.find((s) => s.id === "convert")!;
    expect(convert.jobIds).toHaveLength(1);
    expect(convert.jobIds).not.toContain(stale);
    expect(r.slurm.stepJobs.get(convert.jobIds[0]!)!.input.nonce).not.toBe("0ld0ld0ld0ld");
    expect(r.slurm.cancels).not.toContain(stale);
  });
});

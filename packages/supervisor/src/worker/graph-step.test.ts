import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GraphStep } from "@neoxctl/core";
import { recordPathFor } from "@neoxctl/core";
import { sampleGraph } from "../graph/graph.test-support.ts";
import { rigFactory } from "../testing/rig.test-support.ts";
import type { Rig } from "../testing/rig.test-support.ts";

// The graph's worker step over the fake Slurm and an in-memory cluster: records are read and
// stat-ed there, sbatch options and cancellations recorded by the fake.

const rig = rigFactory({ beforeAll, afterEach, afterAll });
const ROOT = "/cluster/g";
const graph = sampleGraph(ROOT);

/** What a step script leaves behind for one task: its outputs, then its record. */
function finish(r: Rig, id: string, task: number): void {
  const def = graph.steps.find((s) => s.id === id)!;
  const idx = def.array ? task : undefined;
  const outs = def.array ? def.outputs.filter((o) => o.task === task) : def.outputs;
  const outputs = outs.map((o) => {
    const files = o.kind === "neox_prefix" ? [`${o.path}.bin`, `${o.path}.idx`] : [`${o.path}/model.pt`];
    for (const f of files) r.exec.append(f, "data");
    return {
      path: o.path,
      kind: o.kind,
      files: files.map((path) => ({ path, bytes: 4 })),
      ...(o.kind === "neox_prefix" ? { documents: 2, tokens: 8 } : {})
    };
  });
  const record = {
    version: 1,
    step: id,
    ...(idx !== undefined ? { task } : {}),
    outputs,
    finishedAt: "2025-01-01T00:00:00Z"
  };
  void r.exec.writeFile(recordPathFor(def as GraphStep, idx), JSON.stringify(record));
}

/** The fake Slurm job id of a step's newest submission. */
function stepJob(r: Rig, id: string): string {
  const jobs = [...r.slurm.stepJobs].filter(([, j]) => j.input.scriptPath.endsWith(`/steps/${id}.sbatch`));
  const last = jobs.at(-1);
  if (!last) throw new Error(`no job for step ${id}`);
  return last[0];
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

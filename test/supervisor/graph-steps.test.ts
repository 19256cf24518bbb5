import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRun, graphProgress } from "@neoxctl/supervisor";
import type { GraphSelection, RunStore, Supervisor } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "./harness.ts";
import { graphRig } from "./graph-harness.ts";
import type { GraphRig } from "./graph-harness.ts";

// The supervisor runs a job graph (convert, a tokenize array, merge after it) on the local Slurm
// cluster with step scripts that honour the record contract: verified steps are skipped, `from`
// re-runs a step and what follows, a task on a node that goes DOWN is retried on its own, and a step
// that fails for good stops the run for a human with the task's log lines.

const inputs = scenarioInputs({ name: "graph", trainIters: 20, lr: 0.0001, env: {} });
let t: Awaited<ReturnType<typeof testRedis>>;
let sup: Supervisor;
let store: RunStore;
const log: string[] = [];
let seq = 0;

beforeAll(async () => {
  t = await testRedis("graph-steps");
  ({ sup, store } = makeSupervisor(t.redis, t.prefix, "graph-sup", log));
});
afterAll(async () => {
  await sup.release();
  await t.cleanup();
  removeScenario(inputs);
});

async function startRun(rig: GraphRig, selection?: GraphSelection): Promise<string> {
  const run = await createRun(store, localCluster().exec, {
    ...inputs,
    repoRoot: REPO_ROOT,
    runDir: rig.runDir,
    runId: `graph-${process.pid}-${Date.now()}-${++seq}`,
    graph: rig.graph,
    ...(selection ? { selection } : {})
  });
  return run.id;
}

const settledStates = ["completed", "needs_attention", "failed", "cancelled"];

async function runToEnd(id: string, maxCycles = 600): Promise<void> {
  await cycleUntil(
    sup,
    async () => settledStates.includes((await store.mustGetRun(id)).state),
    maxCycles,
    300
  );
}

async function types(id: string): Promise<string[]> {
  return (await store.events(id)).map((e) => e.type);
}

function newRig(name: string, tokenizeTasks = 3): GraphRig {
  const root = join(inputs.root, name);
  return graphRig(root, join(root, "run"), { tokenizeTasks });
}

describe("the job graph on the local Slurm cluster", () => {
  const rig = newRig("g1");

  it("runs convert, the tokenize array and merge (afterok) to completed, every record verified", async () => {
    const id = await startRun(rig);
    await runToEnd(id);
    const run = await store.mustGetRun(id);
    expect(run.state, `${run.attention ?? ""}\n${log.join("\n")}`).toBe("completed");
    const steps = graphProgress(run.graph!);
    expect(steps.map((s) => [s.id, s.state, s.done, s.total])).toEqual([
      ["convert", "done", 1, 1],
      ["tokenize", "done", 3, 3],
      ["merge", "done", 1, 1]
    ]);
    const ev = await store.events(id);
    const submitted = ev.filter((e) => e.type === "step_submitted");
    expect(submitted.map((e) => e.evidence.detail?.["step"])).toEqual(["convert", "tokenize", "merge"]);
    expect(ev.filter((e) => e.type === "step_completed")).toHaveLength(3);
    expect(ev.at(-1)?.type).toBe("run_completed");
    expect(existsSync(`${rig.root}/merged/g0.bin`)).toBe(true);
  }, 600_000);

  it("skips every step whose records exist and verify", async () => {
    const id = await startRun(rig);
    await runToEnd(id);
    const run = await store.mustGetRun(id);
    expect(run.state).toBe("completed");
    expect(graphProgress(run.graph!).map((s) => s.state)).toEqual(["skipped", "skipped", "skipped"]);
    expect(await types(id)).toEqual([
      "run_created",
      "step_skipped",
      "step_skipped",
      "step_skipped",
      "run_completed"
    ]);
  }, 300_000);

  it("re-runs from a step: merge runs again, what it needs is reused, the rest is not selected", async () => {
    const before = readFileSync(`${rig.root}/records/merge.json`, "utf8");
    const id = await startRun(rig, { from: "merge" });
    await runToEnd(id);
    const run = await store.mustGetRun(id);
    expect(run.state, log.join("\n")).toBe("completed");
    // convert is neither merge's input nor after it: --from merge leaves it alone
    expect(graphProgress(run.graph!).map((s) => [s.id, s.state])).toEqual([
      ["convert", "not_selected"],
      ["tokenize", "skipped"],
      ["merge", "done"]
    ]);
    expect(readFileSync(`${rig.root}/records/merge.json`, "utf8")).not.toBe(before);
  }, 300_000);
});

describe("graph step failures on the local Slurm cluster", () => {
  it("an array task on a node that goes DOWN is retried on its own, away from that node", async () => {
    const rig = newRig("g-down", 2);
    rig.fault("slow", "tokenize", 1);
    const id = await startRun(rig);
    let downed: string | undefined;
    try {
      await cycleUntil(
        sup,
        async () => {
          if (!downed && existsSync(rig.runningMarker("tokenize", 1))) {
            downed = readFileSync(rig.runningMarker("tokenize", 1), "utf8").trim();
            execFileSync("scontrol", [
              "update",
              `nodename=${downed}`,
              "state=down",
              "reason=neoxctl-graph-test"
            ]);
          }
          return (await types(id)).includes("step_retried");
        },
        400,
        300
      );
      expect(downed, log.join("\n")).toBeDefined();
      const retried = (await store.events(id)).find((e) => e.type === "step_retried");
      expect(retried?.cause, log.join("\n")).toMatch(
        /step tokenize task 1 retried \(node failure on nid\d+\)/
      );
      expect(retried?.evidence.detail?.["exclude"]).toEqual([downed]);
    } finally {
      if (downed) execFileSync("scontrol", ["update", `nodename=${downed}`, "state=resume"]);
    }
    await runToEnd(id);
    const run = await store.mustGetRun(id);
    expect(run.state, `${run.attention ?? ""}\n${log.join("\n")}`).toBe("completed");
    const tok = run.graph!.steps.find((s) => s.id === "tokenize")!;
    expect(tok.tasks.map((x) => x.attempts)).toEqual([1, 2]);
    expect(tok.tasks[1]!.excludeNodes).toEqual([downed]);
    expect(tok.tasks[1]!.nodes).not.toContain(downed);
  }, 600_000);

  it("a tool error stops the run in needs_attention with the task's log lines, and nothing downstream runs", async () => {
    const rig = newRig("g-fail", 2);
    rig.fault("fail", "tokenize", 0);
    const id = await startRun(rig);
    await runToEnd(id);
    const run = await store.mustGetRun(id);
    expect(run.state, log.join("\n")).toBe("needs_attention");
    const failed = (await store.events(id)).find((e) => e.type === "step_failed")!;
    expect(failed.to).toBe("needs_attention");
    expect(failed.cause).toMatch(
      /step tokenize task 0 \(job \d+_0\) ended FAILED with exit code 2: a retry would not fix it/
    );
    expect(failed.evidence.logLines?.join("\n")).toContain("cannot read input");
    expect(run.graph!.steps.find((s) => s.id === "tokenize")!.state).toBe("needs_attention");
    expect(run.graph!.steps.find((s) => s.id === "merge")!.state).toBe("pending");
    expect(existsSync(`${rig.root}/merged/g0.bin`)).toBe(false);
  }, 600_000);

  it("a step that exits 0 with an output that does not verify stops the run, naming the file", async () => {
    const rig = newRig("g-empty", 1);
    rig.fault("empty", "convert", 0);
    const id = await startRun(rig);
    await runToEnd(id);
    const run = await store.mustGetRun(id);
    expect(run.state, log.join("\n")).toBe("needs_attention");
    const failed = (await store.events(id)).find((e) => e.type === "step_failed")!;
    expect(failed.cause).toContain("exited 0 but its outputs do not verify");
    expect(failed.cause).toContain(`${rig.root}/ckpt/init/model.pt`);
  }, 600_000);
});

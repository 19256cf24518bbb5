import { describe, expect, it } from "vitest";
import type { StepVerification } from "@neoxctl/core";
import { initialGraphRun } from "../graph/graph-state.ts";
import type { GraphRun } from "../graph/graph-state.ts";
import { bad, OK, sampleGraph } from "../graph/graph.test-support.ts";
import type { StepTaskView } from "../ports.ts";
import { graphDecide, recordsToCheck, resumeGraph } from "./graph-decide.ts";
import type { GraphDecision } from "./graph-decide.ts";

const view = (
  key: string,
  state: StepTaskView["state"],
  extra: Partial<StepTaskView> = {}
): StepTaskView => ({
  key,
  state,
  nodes: [],
  ...extra
});

/** Applies a decision the way the worker does: new states, submitted tasks queued under `jobId`. */
function apply(g: GraphRun, d: GraphDecision, jobIds: Record<string, string>): GraphRun {
  const next: GraphRun = { ...g, steps: structuredClone(d.steps) };
  for (const s of d.submits) {
    const st = next.steps.find((x) => x.id === s.step)!;
    const jobId = jobIds[s.step]!;
    st.jobIds.push(jobId);
    for (const t of st.tasks) if (s.tasks.includes(t.index)) Object.assign(t, { jobId, state: "queued" });
    if (st.state === "pending") st.state = "submitted";
  }
  return next;
}

function decide(
  g: GraphRun,
  tasks: StepTaskView[] = [],
  records: Record<string, StepVerification> = {},
  down: string[] = []
): GraphDecision {
  return graphDecide({
    g,
    tasks: new Map(tasks.map((t) => [t.key, t])),
    records: new Map(Object.entries(records)),
    down
  });
}

const unread = {
  "tokenize#0": bad("no record"),
  "tokenize#1": bad("no record"),
  "tokenize#2": bad("no record")
};

const state = (d: GraphDecision | GraphRun, id: string): string => d.steps.find((s) => s.id === id)!.state;

describe("graphDecide", () => {
  it("submits the steps without dependencies, and queues merge behind tokenize with afterok", () => {
    const g0 = initialGraphRun(sampleGraph());
    // nothing upstream ran: the records of convert and tokenize are read first
    expect(recordsToCheck(g0, new Map()).map((r) => `${r.step}#${r.task}`)).toEqual([
      "convert#0",
      "tokenize#0",
      "tokenize#1",
      "tokenize#2"
    ]);
    const d1 = decide(g0, [], {
      "convert#0": bad("no record"),
      "tokenize#0": bad("no record"),
      "tokenize#1": bad("no record"),
      "tokenize#2": bad("no record")
    });
    expect(d1.submits.map((s) => [s.step, s.tasks, s.afterOk])).toEqual([
      ["convert", [0], []],
      ["tokenize", [0, 1, 2], []]
    ]);
    expect(d1.startTrain).toBe(false);
    const g1 = apply(g0, d1, { convert: "10", tokenize: "11" });
    // next cycle: merge waits on the array with afterok; training does not start early
    const d2 = decide(g1, [view("10", "RUNNING"), view("11_0", "PENDING")]);
    expect(d2.submits.map((s) => [s.step, s.afterOk])).toEqual([["merge", ["11"]]]);
    expect(d2.startTrain).toBe(false);
    expect(state(d2, "convert")).toBe("running");
  });

  it("skips steps whose records verify, and runs what reads a step that ran", () => {
    const g0 = initialGraphRun(sampleGraph());
    const d = decide(g0, [], {
      "convert#0": OK,
      "tokenize#0": OK,
      "tokenize#1": OK,
      "tokenize#2": OK
    });
    expect(d.notes.map((n) => [n.type, n.step])).toEqual([
      ["step_skipped", "convert"],
      ["step_skipped", "tokenize"]
    ]);
    expect(d.submits).toEqual([]);
    // merge's inputs were skipped: its own record decides next
    const g1 = { ...g0, steps: d.steps };
    expect(recordsToCheck(g1, new Map()).map((r) => r.step)).toEqual(["merge"]);
    const d2 = decide(g1, [], { "merge#0": OK });
    expect(state(d2, "merge")).toBe("skipped");
    expect(d2.startTrain).toBe(true);
  });

  it("submits only the tasks of an array whose records do not verify", () => {
    const g0 = initialGraphRun(sampleGraph());
    const d = decide(g0, [], {
      "convert#0": OK,
      "tokenize#0": OK,
      "tokenize#1": bad("/runs/g/data/c1.bin: missing on the cluster"),
      "tokenize#2": OK
    });
    expect(d.submits.map((s) => [s.step, s.tasks])).toEqual([["tokenize", [1]]]);
  });

  it("re-runs from a step: it and everything downstream run whatever their records say", () => {
    const g0 = initialGraphRun(sampleGraph(), { from: "merge" });
    expect(g0.steps.filter((s) => s.rerun).map((s) => s.id)).toEqual(["merge", "train", "export"]);
    const recs = recordsToCheck(g0, new Map()).map((r) => r.step);
    expect(recs).not.toContain("merge");
    const d = decide(g0, [], { "convert#0": OK, "tokenize#0": OK, "tokenize#1": OK, "tokenize#2": OK });
    // tokenize skipped, so merge is submitted at once with no dependency
    expect(d.submits.map((s) => [s.step, s.afterOk])).toEqual([["merge", []]]);
  });

  it("--only a step: another step whose records do not verify stops the run, naming the file", () => {
    const g0 = initialGraphRun(sampleGraph(), { only: "merge" });
    const d = decide(g0, [], {
      "convert#0": OK,
      "tokenize#0": OK,
      "tokenize#1": bad("/runs/g/records/tokenize-1.json: no record"),
      "tokenize#2": OK
    });
    expect(d.attention?.step).toBe("tokenize");
    expect(d.attention?.cause).toContain("/runs/g/records/tokenize-1.json");
    expect(d.submits).toEqual([]);
  });

  it("--only tokenize runs that step alone: nothing else is checked, submitted or trained, and the graph finishes", () => {
    const g0 = initialGraphRun(sampleGraph(), { only: "tokenize" });
    expect(g0.steps.map((s) => [s.id, s.state])).toEqual([
      ["convert", "not_selected"],
      ["tokenize", "pending"],
      ["merge", "not_selected"],
      ["train", "not_selected"],
      ["export", "not_selected"]
    ]);
    // its own records do not matter (it is asked for), and no other step's are read
    expect(recordsToCheck(g0, new Map())).toEqual([]);
    const d = decide(g0);
    expect(d.submits.map((s) => [s.step, s.tasks])).toEqual([["tokenize", [0, 1, 2]]]);
    expect(d.startTrain).toBe(false);
    const g1 = apply(g0, d, { tokenize: "90" });
    const done = ["90_0", "90_1", "90_2"].map((k) => view(k, "COMPLETED"));
    const d2 = decide(g1, done, { "tokenize#0": OK, "tokenize#1": OK, "tokenize#2": OK });
    expect(d2.submits).toEqual([]);
    expect(d2.startTrain).toBe(false);
    expect(d2.finished).toBe(true);
    expect(state(d2, "merge")).toBe("not_selected");
    expect(state(d2, "train")).toBe("not_selected");
  });

  it("--only train: the steps it needs must verify, then training starts and export is not selected", () => {
    const g0 = initialGraphRun(sampleGraph(), { only: "train" });
    expect(state(g0, "export")).toBe("not_selected");
    const all = { "convert#0": OK, "tokenize#0": OK, "tokenize#1": OK, "tokenize#2": OK, "merge#0": OK };
    const g1 = { ...g0, steps: decide(g0, [], all).steps };
    const d = decide(g1, [], all);
    expect(d.submits).toEqual([]);
    expect(d.startTrain).toBe(true);
    expect(["convert", "tokenize", "merge"].map((id) => state(d, id))).toEqual([
      "skipped",
      "skipped",
      "skipped"
    ]);
    // a needed step that does not verify is never run: the run stops naming it
    const d3 = decide(g0, [], { ...all, "merge#0": bad("/runs/g/records/merge.json: no record") });
    expect(d3.attention?.cause).toBe(
      "step merge is needed by --only train but is not selected, and its outputs do not verify: /runs/g/records/merge.json: no record"
    );
    expect([d3.startTrain, d3.submits]).toEqual([false, []]);
  });

  it("--from merge runs merge, train and export; a step they need that does not verify stops the run", () => {
    const g0 = initialGraphRun(sampleGraph(), { from: "merge" });
    expect(g0.steps.map((s) => s.state)).not.toContain("not_selected");
    const d = decide(g0, [], {
      "convert#0": bad("/runs/g/records/convert.json: no record"),
      "tokenize#0": OK,
      "tokenize#1": OK,
      "tokenize#2": OK
    });
    expect(d.attention?.step).toBe("convert");
    expect(d.attention?.cause).toContain("needed by --from merge");
    expect(d.submits).toEqual([]);
  });

  it("--from export and --only export run export on the existing checkpoint: training is not selected", () => {
    for (const sel of [{ from: "export" }, { only: "export" }]) {
      const g0 = initialGraphRun(sampleGraph(), sel);
      expect(g0.steps.map((s) => s.state)).toEqual([
        "not_selected",
        "not_selected",
        "not_selected",
        "not_selected",
        "pending"
      ]);
      const d = decide(g0);
      expect(d.startTrain).toBe(false);
      expect(d.submits.map((s) => [s.step, s.afterOk])).toEqual([["export", []]]);
    }
  });

  it("after a resume, a needed step that stopped an --only run is checked again, never run", () => {
    const g0 = initialGraphRun(sampleGraph(), { only: "merge" });
    const unverified = { "tokenize#0": OK, "tokenize#1": bad("no record"), "tokenize#2": OK };
    const d = decide(g0, [], unverified);
    const { g: resumed } = resumeGraph({ ...g0, steps: d.steps });
    expect(resumed.steps.find((s) => s.id === "tokenize")!.rerun).toBe(false);
    expect(decide(resumed, [], unverified).attention?.step).toBe("tokenize");
    expect(decide(resumed, [], { ...unverified, "tokenize#1": OK }).submits.map((s) => s.step)).toEqual([
      "merge"
    ]);
  });

  it("verifies a finished task before calling it done, and completes the step when all are", () => {
    let g = initialGraphRun(sampleGraph(), { from: "tokenize" });
    g = apply(g, decide(g, [], { "convert#0": OK }), { tokenize: "20" });
    expect(state(g, "tokenize")).toBe("submitted");
    const done = [view("20_0", "COMPLETED"), view("20_1", "COMPLETED"), view("20_2", "RUNNING")];
    expect(recordsToCheck(g, new Map(done.map((v) => [v.key, v]))).map((r) => r.task)).toEqual([0, 1]);
    const d = decide(g, done, { "tokenize#0": OK, "tokenize#1": OK });
    expect(d.steps.find((s) => s.id === "tokenize")!.tasks.map((t) => t.state)).toEqual([
      "done",
      "done",
      "running"
    ]);
    const g2 = apply(g, d, { merge: "21" });
    const d3 = decide(g2, [view("20_2", "COMPLETED"), view("21", "PENDING")], { "tokenize#2": OK });
    expect(d3.notes.map((n) => [n.type, n.step])).toEqual([["step_completed", "tokenize"]]);
    expect(state(d3, "tokenize")).toBe("done");
  });

  it("retries a task that failed on a DOWN node on its own, away from that node, and requeues its dependents", () => {
    let g = initialGraphRun(sampleGraph(), { from: "tokenize" });
    g = apply(g, decide(g, [], { "convert#0": OK }), { tokenize: "30" });
    g = apply(g, decide(g, [view("30_0", "RUNNING")]), { merge: "31" });
    expect(state(g, "merge")).toBe("submitted");
    const d = decide(
      g,
      [
        view("30_0", "FAILED", { exitCode: 1, nodes: ["nid002"] }),
        view("30_1", "RUNNING"),
        view("31", "PENDING")
      ],
      {},
      ["nid002"]
    );
    expect(d.attention).toBeUndefined();
    expect(d.submits.map((s) => [s.step, s.tasks, s.exclude, s.retry])).toEqual([
      ["tokenize", [0], ["nid002"], true]
    ]);
    expect(d.submits[0]!.cause).toContain("node failure on nid002");
    // merge's afterok on job 30 can never be met now: cancelled, submitted again later
    expect(d.cancel).toEqual(["31"]);
    expect(state(d, "merge")).toBe("pending");
    const t0 = d.steps.find((s) => s.id === "tokenize")!.tasks[0]!;
    expect([t0.attempts, t0.excludeNodes]).toEqual([2, ["nid002"]]);
    // job 30 has a failed task: merge waits for task 1 to finish rather than queue behind job 30
    const g2 = apply(g, d, { tokenize: "32" });
    expect(decide(g2, [view("30_1", "RUNNING"), view("32_0", "PENDING")]).submits).toEqual([]);
    const d3 = decide(g2, [view("30_1", "COMPLETED"), view("30_2", "COMPLETED"), view("32_0", "RUNNING")], {
      "tokenize#1": OK,
      "tokenize#2": OK
    });
    expect(d3.submits.map((s) => [s.step, s.afterOk])).toEqual([["merge", ["32"]]]);
  });

  it("retries a timed-out task, and stops once the task's budget is spent", () => {
    let g = initialGraphRun(sampleGraph());
    g = apply(g, decide(g, [], { ...unread, "convert#0": bad("no record") }), {
      convert: "40",
      tokenize: "41"
    });
    const d = decide(g, [view("40", "TIMEOUT")]);
    expect(d.submits.filter((s) => s.retry).map((s) => s.step)).toEqual(["convert"]);
    g = apply(g, d, { convert: "42", merge: "43" });
    const d2 = decide(g, [view("42", "TIMEOUT")]);
    expect(d2.attention?.step).toBe("convert");
    expect(d2.attention?.cause).toContain("retry budget is spent (2/2)");
    expect(d2.cancel).toContain("41");
  });

  it("stops for a human on a tool error, with the task's log named for evidence, and cancels the rest", () => {
    let g = initialGraphRun(sampleGraph(), { from: "tokenize" });
    g = apply(g, decide(g, [], { "convert#0": OK }), { tokenize: "50" });
    const d = decide(g, [
      view("50_1", "FAILED", { exitCode: 2, nodes: ["nid001"] }),
      view("50_0", "RUNNING")
    ]);
    expect(d.attention).toMatchObject({ step: "tokenize", logKey: "50_1" });
    expect(d.attention?.cause).toContain("exit code 2: a retry would not fix it");
    expect(d.cancel).toEqual(["50"]);
    expect(state(d, "tokenize")).toBe("needs_attention");
    expect(d.submits).toEqual([]);
  });

  it("stops when a task exits 0 but its outputs do not verify", () => {
    let g = initialGraphRun(sampleGraph());
    g = apply(g, decide(g, [], { ...unread, "convert#0": bad("no record") }), {
      convert: "60",
      tokenize: "61"
    });
    const d = decide(g, [view("60", "COMPLETED")], {
      "convert#0": bad("/runs/g/ckpt/init: missing from the record")
    });
    expect(d.attention?.cause).toContain("exited 0 but its outputs do not verify: /runs/g/ckpt/init");
  });

  it("starts training only once every dependency is done and verified, and finishes after export", () => {
    const g0 = initialGraphRun(sampleGraph());
    const all = { "convert#0": OK, "tokenize#0": OK, "tokenize#1": OK, "tokenize#2": OK };
    const g1 = { ...g0, steps: decide(g0, [], all).steps };
    const d = decide(g1, [], { "merge#0": bad("no record") });
    expect(d.startTrain).toBe(false);
    expect(d.submits.map((s) => s.step)).toEqual(["merge"]);
    const g2 = apply(g1, d, { merge: "70" });
    const d2 = decide(g2, [view("70", "COMPLETED")], { "merge#0": OK });
    expect(d2.startTrain).toBe(true);
    // training done (the worker marks it), export reruns and completes the graph
    const g3: GraphRun = { ...g2, steps: structuredClone(d2.steps) };
    const train = g3.steps.find((s) => s.id === "train")!;
    train.state = "done";
    g3.steps.find((s) => s.id === "export")!.rerun = true;
    const d3 = decide(g3);
    expect(d3.submits.map((s) => [s.step, s.afterOk])).toEqual([["export", []]]);
    const g4 = apply(g3, d3, { export: "71" });
    const d4 = decide(g4, [view("71", "COMPLETED")], { "export#0": OK });
    expect(d4.finished).toBe(true);
  });

  it("after a human resumes, the stopped step runs again from its unfinished tasks", () => {
    let g = initialGraphRun(sampleGraph(), { from: "tokenize" });
    g = apply(g, decide(g, [], { "convert#0": OK }), { tokenize: "80" });
    const d = decide(
      g,
      [view("80_0", "COMPLETED"), view("80_1", "FAILED", { exitCode: 1 }), view("80_2", "RUNNING")],
      { "tokenize#0": OK }
    );
    const { g: resumed, reset } = resumeGraph({ ...g, steps: d.steps });
    expect(reset).toEqual(["tokenize"]);
    const d2 = decide(resumed);
    expect(d2.submits.map((s) => [s.step, s.tasks])).toEqual([["tokenize", [1, 2]]]);
  });
});

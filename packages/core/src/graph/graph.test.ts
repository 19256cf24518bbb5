import { describe, expect, it } from "vitest";
import { JobGraphSchema, StepRecordSchema, recordPathFor, verifyStepOutputs } from "./graph.ts";
import type { GraphStep } from "./graph.ts";

const step = (id: string, dependsOn: string[] = [], extra: Partial<GraphStep> = {}): unknown => ({
  id,
  kind: "merge",
  script: `steps/${id}.sbatch`,
  dependsOn,
  partition: "small",
  outputs: [],
  record: `/runs/r/records/${id}.json`,
  retry: { maxAttempts: 2 },
  ...extra
});

const tokenize = (): GraphStep =>
  JobGraphSchema.parse({
    steps: [
      step("tokenize", [], {
        kind: "tokenize",
        array: { tasks: 2, maxConcurrent: 1 },
        record: "/runs/r/records/tokenize.%a.json",
        outputs: [
          { path: "/d/a_text_document", kind: "neox_prefix", task: 0 },
          { path: "/d/b_text_document", kind: "neox_prefix", task: 1 }
        ]
      })
    ]
  }).steps[0]!;

const recordFor = (task: number, prefix: string, bytes = 10): unknown => ({
  version: 1,
  step: "tokenize",
  task,
  outputs: [
    {
      path: prefix,
      kind: "neox_prefix",
      files: [
        { path: `${prefix}.bin`, bytes },
        { path: `${prefix}.idx`, bytes: 34 }
      ],
      documents: 3,
      tokens: 5
    }
  ],
  finishedAt: "2026-12-06T08:00:00Z"
});

describe("JobGraphSchema", () => {
  it("accepts an acyclic graph with known dependencies", () => {
    expect(JobGraphSchema.safeParse({ steps: [step("a"), step("b", ["a"])] }).success).toBe(true);
  });

  it("refuses duplicate ids, unknown dependencies and cycles, naming where", () => {
    const dup = JobGraphSchema.safeParse({ steps: [step("a"), step("a")] });
    expect(dup.error?.issues.map((i) => i.path.join("."))).toEqual(["steps.1.id"]);
    const unknown = JobGraphSchema.safeParse({ steps: [step("a", ["zz"])] });
    expect(unknown.error?.issues[0]?.path).toEqual(["steps", 0, "dependsOn", 0]);
    const cycle = JobGraphSchema.safeParse({ steps: [step("a", ["c"]), step("b", ["a"]), step("c", ["b"])] });
    expect(cycle.error?.issues[0]?.message).toMatch(/dependency cycle: a → c → b → a/);
  });

  it("ties %a in the record to array steps and outputs to their tasks", () => {
    const noPct = JobGraphSchema.safeParse({
      steps: [step("t", [], { array: { tasks: 2, maxConcurrent: 1 } })]
    });
    expect(noPct.error?.issues[0]?.path).toEqual(["steps", 0, "record"]);
    const badTask = JobGraphSchema.safeParse({
      steps: [
        step("t", [], {
          array: { tasks: 1, maxConcurrent: 1 },
          record: "/r/t.%a.json",
          outputs: [{ path: "/d/x", kind: "neox_prefix", task: 1 }]
        })
      ]
    });
    expect(badTask.error?.issues[0]?.path).toEqual(["steps", 0, "outputs", 0, "task"]);
  });

  it("needs a script for every step but train", () => {
    const r = JobGraphSchema.safeParse({ steps: [step("m", [], { script: undefined })] });
    expect(r.error?.issues[0]?.path).toEqual(["steps", 0, "script"]);
    expect(
      JobGraphSchema.safeParse({ steps: [step("train", [], { kind: "train", script: undefined })] }).success
    ).toBe(true);
  });
});

describe("verifyStepOutputs", () => {
  it("accepts a task's own record and replaces %a in its path", () => {
    const s = tokenize();
    expect(recordPathFor(s, 1)).toBe("/runs/r/records/tokenize.1.json");
    expect(verifyStepOutputs(s, 1, recordFor(1, "/d/b_text_document"))).toEqual({ ok: true, problems: [] });
    expect(StepRecordSchema.parse(recordFor(0, "/d/a_text_document")).task).toBe(0);
  });

  it("refuses another task's record, a missing output and empty files", () => {
    const s = tokenize();
    const wrong = verifyStepOutputs(s, 0, recordFor(1, "/d/b_text_document"));
    expect(wrong.problems).toContain("/runs/r/records/tokenize.0.json: record is for task 1, not 0");
    expect(wrong.problems).toContain(
      "/runs/r/records/tokenize.0.json: output /d/a_text_document is not recorded"
    );
    expect(verifyStepOutputs(s, 0, recordFor(0, "/d/a_text_document", 0)).problems).toEqual([
      "/d/a_text_document.bin: recorded empty"
    ]);
    expect(verifyStepOutputs(s, 0, { step: "tokenize" }).ok).toBe(false);
  });

  it("compares recorded sizes with those observed on the cluster", () => {
    const s = tokenize();
    const observed = new Map<string, number | undefined>([
      ["/d/a_text_document.bin", 11],
      ["/d/a_text_document.idx", undefined]
    ]);
    expect(verifyStepOutputs(s, 0, recordFor(0, "/d/a_text_document"), observed).problems).toEqual([
      "/d/a_text_document.bin: 11 bytes now, 10 recorded",
      "/d/a_text_document.idx: missing on the cluster"
    ]);
  });
});

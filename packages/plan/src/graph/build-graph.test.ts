import { describe, expect, it } from "vitest";
import { SpecError, recordPathFor } from "@neoxctl/core";
import type { GraphStep } from "@neoxctl/core";
import { planRun } from "../plan-run.ts";
import { localInput } from "../fixtures.test-support.ts";
import { planGraph } from "./build-graph.ts";
import type { GraphOptions } from "./build-graph.ts";
import { readTokenizerJson } from "./eod.ts";

const tokenizer = readTokenizerJson(
  "/tmp/neoxctl-demo/hf/llama3-8b/tokenizer.json",
  JSON.stringify({ added_tokens: [{ id: 128001, content: "<|end_of_text|>" }] })
);
const plan = planRun(localInput());
const manifest = plan.spec.data.inline!;
const base: GraphOptions = { manifest, tokenizer };

function issuesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => `${i.path}: ${i.rule}`);
    throw err;
  }
  return [];
}

/** A record that verifies for every task of a step. */
function recordsFor(step: GraphStep): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const tasks =
    step.array === undefined ? [undefined] : Array.from({ length: step.array.tasks }, (_, i) => i);
  for (const t of tasks)
    out.set(recordPathFor(step, t), {
      version: 1,
      step: step.id,
      ...(t !== undefined ? { task: t } : {}),
      outputs: step.outputs
        .filter((o) => o.task === t)
        .map((o) => ({
          path: o.path,
          kind: o.kind,
          files:
            o.kind === "neox_prefix"
              ? [`${o.path}.bin`, `${o.path}.idx`].map((p) => ({ path: p, bytes: 8 }))
              : [{ path: `${o.path}/latest`, bytes: 1 }],
          ...(o.kind === "neox_prefix" ? { documents: 1, tokens: 2 } : {})
        })),
      finishedAt: "2026-12-06T08:00:00Z"
    });
  return out;
}

describe("planGraph", () => {
  const g = planGraph(plan, base);
  const step = (id: string): GraphStep => g.graph.steps.find((s) => s.id === id)!;

  it("orders convert, tokenize (array), merge (one task per group), train, export with afterok edges", () => {
    expect(g.graph.steps.map((s) => [s.id, s.dependsOn])).toEqual([
      ["convert", []],
      ["tokenize", []],
      ["merge", ["tokenize"]],
      ["train", ["convert", "merge"]],
      ["export", ["train"]]
    ]);
    expect(step("tokenize").array).toEqual({ tasks: 3, maxConcurrent: 2 });
    expect(step("merge").outputs.map((o) => o.path)).toEqual(plan.data.entries.map((e) => e.path));
    expect(g.files["steps/tokenize.sbatch"]).toContain("#SBATCH --array=0-2%2");
    expect(g.files["steps/merge.sbatch"]).toContain("#SBATCH --partition=standard-g");
    expect(step("export").outputs[0]!.path).toBe(
      "/tmp/neoxctl-demo/checkpoints/local-demo/hf/global_step300"
    );
  });

  it("says what re-merging a group rewrites", () => {
    expect(g.merge).toMatchObject({ groups: 5, largestGroup: "mono.high", largestGroupBytes: 2e9 * 4 });
  });

  it("skips steps whose records verify, and re-runs from a step with --from", () => {
    const records = new Map([...recordsFor(step("convert")), ...recordsFor(step("tokenize"))]);
    const skipped = planGraph(plan, { ...base, records });
    expect(skipped.graph.steps.filter((s) => s.skip).map((s) => s.id)).toEqual(["convert", "tokenize"]);
    const from = planGraph(plan, { ...base, records, from: "tokenize" });
    expect(from.graph.steps.filter((s) => s.skip).map((s) => s.id)).toEqual(["convert"]);
    expect(from.selection.from).toBe("tokenize");
  });

  it("does not skip a step whose record lists a file that changed size", () => {
    const records = recordsFor(step("convert"));
    const observed = new Map([["/tmp/neoxctl-demo/init/llama3-8b-neox/latest", 2]]);
    expect(
      planGraph(plan, { ...base, records, observed }).graph.steps.find((s) => s.id === "convert")!.skip
    ).toBe(false);
  });

  it("--only runs one step, refusing when what it needs is not done", () => {
    const records = new Map([...recordsFor(step("tokenize"))]);
    const only = planGraph(plan, { ...base, records, only: "merge", from: undefined });
    expect(only.graph.steps.filter((s) => !s.skip).map((s) => s.id)).toEqual(["merge"]);
    expect(issuesOf(() => planGraph(plan, { ...base, records: new Map(), only: "merge" }))).toEqual([
      "--only: needs step tokenize done first: its records (/tmp/neoxctl-demo/runs/local-demo/records/tokenize.%a.json) are missing or do not verify"
    ]);
    expect(issuesOf(() => planGraph(plan, { ...base, from: "nope" }))).toEqual([
      "--from: is not a step of this graph (convert, tokenize, merge, train, export)"
    ]);
  });

  it("--only export and --from export need no record behind training (it has none; export checks its checkpoint)", () => {
    for (const sel of [{ only: "export" }, { from: "export" }]) {
      const g2 = planGraph(plan, { ...base, records: new Map(), ...sel });
      expect(g2.graph.steps.filter((s) => !s.skip).map((s) => s.id)).toEqual(["export"]);
    }
  });

  it("refuses a group whose members are missing and nothing tokenizes", () => {
    const noSource = { ...manifest, datasets: manifest.datasets.map(({ source: _s, ...d }) => d) };
    const issues = issuesOf(() => planGraph(plan, { ...base, manifest: noSource, exists: () => false }));
    expect(issues).toHaveLength(5);
    expect(issues).toContainEqual(
      expect.stringMatching(
        /^data\.manifest\.datasets\.0\.path: is a member of group mono\.high but .*\.bin and .*\.idx do not exist/
      )
    );
  });

  it("refuses export iterations the run does not save or keep", () => {
    const spec = { ...plan.spec, export: { iterations: [30, 40] } };
    expect(issuesOf(() => planGraph({ ...plan, spec }, base))).toEqual([
      "export.iterations.0: is not a checkpoint the run saves (every 20 steps and at 300)",
      "export.iterations.1: is deleted before export by checkpointing.keep_last_n 3 (kept: 260, 280, 300)"
    ]);
  });

  it("refuses a prefix preprocess_data cannot write", () => {
    const bad = {
      ...manifest,
      datasets: [{ ...manifest.datasets[0]!, path: "mono/eng" }, ...manifest.datasets.slice(1)]
    };
    expect(issuesOf(() => planGraph(plan, { ...base, manifest: bad }))).toEqual([
      'data.manifest.datasets.0.path: must end with _text_document: preprocess_data.py writes <output-prefix>_text_document.bin/.idx for the key "text"'
    ]);
  });
});

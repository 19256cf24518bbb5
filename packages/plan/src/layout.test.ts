import { describe, expect, it } from "vitest";
import { formatSpecIssues, SpecError } from "@neoxctl/core";
import { planRun } from "./plan-run.ts";
import { emmaInput, localInput } from "./fixtures.test-support.ts";
import type { PlanInput } from "./types.ts";

function problems(input: PlanInput): string {
  try {
    planRun(input);
  } catch (err) {
    if (err instanceof SpecError) return formatSpecIssues(err.issues);
    throw err;
  }
  throw new Error("expected planRun to refuse the input");
}

describe("batch and parallelism arithmetic", () => {
  it("derives the EMMA-500 layout: 512 GCDs, 64 nodes, ~671B tokens", () => {
    const { layout, checkpoints } = planRun(emmaInput());
    expect(layout).toMatchObject({
      gcds: 512,
      nodes: 64,
      tp: 2,
      pp: 0,
      dp: 256,
      microBatch: 1,
      gradAccum: 8,
      globalBatch: 2048
    });
    expect(layout.tokensPerStep).toBe(2048 * 8192);
    expect(layout.totalTokens).toBe(671_088_640_000);
    // 40,000 steps / checkpoint_factor 100
    expect(checkpoints.expected).toBe(400);
  });

  it("converts every size unit to GCDs", () => {
    const nodes = planRun(emmaInput((y) => y.replace("size: {gcds: 512}", "size: {nodes: 64}"))).layout;
    const modules = planRun(emmaInput((y) => y.replace("size: {gcds: 512}", "size: {mi250x: 256}"))).layout;
    expect(nodes.gcds).toBe(512);
    expect(modules.gcds).toBe(512);
  });

  it("accepts a global batch in tokens", () => {
    const l = planRun(
      emmaInput((y) => y.replace("global_batch: {sequences: 2048}", "global_batch: {tokens: 16777216}"))
    ).layout;
    expect(l.globalBatch).toBe(2048);
  });

  it("names the batch that does not divide, with micro_batch × dp", () => {
    const text = problems(
      emmaInput((y) =>
        y
          .replace("global_batch: {sequences: 2048}", "global_batch: {sequences: 2000}")
          .replace("micro_batch: 1", "micro_batch: 2")
      )
    );
    expect(text).toBe("training.global_batch: 2000 is not a multiple of micro_batch × dp = 512");
  });

  it("reports every inconsistency at once", () => {
    const text = problems(
      emmaInput((y) =>
        y
          .replace(
            "parallelism: {tp: 2, pp: 0, zero_stage: 1, sequence_parallel: true}",
            "parallelism: {tp: 16, pp: 0, zero_stage: 1, sequence_parallel: true}"
          )
          .replace("min_lr: 0.00001", "min_lr: 0.001")
          .replace("seq_length: 8192", "seq_length: 16384")
          .replace("  account: project_462000000\n", "")
          .replace("size: {gcds: 512}", "size: {nodes: 2000}")
      )
    );
    const lines = text.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "cluster.size: 2000 nodes exceeds lumi's limit of 1024 nodes",
        "parallelism.tp: 16 is larger than one node (8 GCDs); tensor parallelism across nodes is too slow",
        "parallelism.tp: 16 does not divide num_kv_heads 8",
        "parallelism.tp: 16 must equal init.tp 2: NeoX cannot load a checkpoint converted for another tp",
        "training.seq_length: 16384 exceeds llama3-8b's max_position_embeddings 8192",
        "training.min_lr: 0.001 must be <= lr 0.0001",
        "cluster.account: (missing) is required on lumi"
      ])
    );
  });

  it("refuses a spike-policy LR floor below the schedule's min_lr", () => {
    const text = problems(
      emmaInput((y) => y.replace("spike: {lr_factor: 0.5, min_lr: 0.00002}", "spike: {min_lr: 0.000005}"))
    );
    expect(text.split("\n")).toContain(
      "resilience.spike.min_lr: 0.000005 must be >= training.min_lr 0.00001: a rollback lowered to it would render an LR NeoX refuses (min_lr <= lr)"
    );
  });

  it("refuses sizes that are not whole nodes and time limits past the partition's", () => {
    const text = problems(
      emmaInput((y) =>
        y.replace("size: {gcds: 512}", "size: {gcds: 500}").replace('time: "48:00:00"', 'time: "3-00:00:00"')
      )
    );
    expect(text).toContain("cluster.size: 500 GCDs is not a whole number of lumi nodes (8 GCDs each)");
    expect(text).toContain("cluster.time: 3-00:00:00 exceeds lumi's max_time 2-00:00:00");
  });

  it("keeps the LUMI batch arithmetic on the local cluster (8 logical GCDs per node)", () => {
    const l = planRun(localInput()).layout;
    expect(l).toMatchObject({ gcds: 16, nodes: 2, dp: 8, gradAccum: 4, globalBatch: 32 });
  });
});

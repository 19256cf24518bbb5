import { describe, expect, it } from "vitest";
import { SpecError } from "../errors/index.ts";
import { parseRunSpec } from "./parse.ts";
import { RunSpecSchema } from "./run-spec.ts";

const VALID = `
name: demo
model: {preset: llama3-8b}
init: {checkpoint: /ckpt/llama3, tokenizer: /ckpt/llama3/tokenizer/tokenizer.json}
data:
  inline:
    datasets:
      - {path: /d/swh_Latn_text_document, language: swh_Latn, tokens: 1000, tier: low}
  sampling: {strategy: temperature, tau: 3}
  valid: [/d/valid_text_document]
training:
  train_iters: 100
  global_batch: {sequences: 16}
  micro_batch: 1
  seq_length: 8192
  lr: 0.0001
checkpointing: {save: /ckpt/run, checkpoint_factor: 20}
cluster: {profile: local, time: "01:00:00", size: {nodes: 2}}
`;

function issuesOf(text: string): SpecError {
  try {
    parseRunSpec(text, "spec.yaml");
  } catch (err) {
    if (err instanceof SpecError) return err;
    throw err;
  }
  throw new Error("expected a SpecError");
}

describe("parseRunSpec", () => {
  it("accepts a valid spec and fills defaults", () => {
    const spec = parseRunSpec(VALID, "spec.yaml");
    expect(spec.parallelism).toEqual({ tp: 1, pp: 0, zero_stage: 1, sequence_parallel: false });
    expect(spec.precision).toBe("bf16");
    expect(spec.resilience.budgets.node).toBe(20);
    expect(spec.training.min_lr).toBe(0);
  });

  it("refuses sequence_parallel with tp 1, where NeoX would ignore it", () => {
    const err = issuesOf(`${VALID}parallelism: {tp: 1, sequence_parallel: true}\n`);
    const sp = err.issues.find((i) => i.path === "parallelism.sequence_parallel");
    expect(sp?.rule).toContain("tp 1");
    expect(
      parseRunSpec(`${VALID}parallelism: {tp: 2, sequence_parallel: true}\n`, "s.yaml").parallelism
        .sequence_parallel
    ).toBe(true);
  });

  it("refuses a bare gpus size and explains why", () => {
    const err = issuesOf(VALID.replace("size: {nodes: 2}", "size: {gpus: 512}"));
    const gpus = err.issues.find((i) => i.path === "cluster.size.gpus");
    expect(gpus?.rule).toContain("ambiguous");
    expect(gpus?.received).toBe("512");
    expect(gpus?.line).toBe(18);
  });

  it("lists every problem with path, received value and position", () => {
    const err = issuesOf(
      VALID.replace("lr: 0.0001", "lr: fast")
        .replace("train_iters: 100", "train_iters: -5")
        .replace("name: demo", "name: Demo Run")
    );
    expect(err.code).toBe("SPEC_INVALID");
    const paths = err.issues.map((i) => i.path).sort();
    expect(paths).toEqual(["name", "training.lr", "training.train_iters"]);
    const lr = err.issues.find((i) => i.path === "training.lr");
    expect(lr?.received).toBe('"fast"');
    expect(lr?.line).toBe(16);
  });

  it("names unknown fields one by one", () => {
    const err = issuesOf(VALID.replace("micro_batch: 1", "micro_batch: 1\n  save_interval: 5"));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.path).toBe("training.save_interval");
  });

  it("reports YAML syntax errors with line and column", () => {
    const err = issuesOf("name: demo\nmodel: {preset: llama3-8b\ninit: x\n");
    expect(err.code).toBe("SPEC_YAML");
    expect(err.issues[0]?.line).toBeGreaterThan(0);
    expect(err.issues[0]?.column).toBeGreaterThan(0);
  });

  it("refuses alias bombs instead of expanding them", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(
        `${cur}: &${cur} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`
      );
    }
    const err = issuesOf(lines.join("\n"));
    expect(err.code).toBe("SPEC_YAML");
  });

  it("requires exactly one of a manifest file or inline datasets", () => {
    const err = issuesOf(VALID.replace("  inline:", "  manifest: m.yaml\n  inline:"));
    expect(err.issues.map((i) => i.path)).toEqual(["data"]);
  });

  it("exports a JSON Schema", async () => {
    const { z } = await import("zod");
    const schema = z.toJSONSchema(RunSpecSchema, { io: "input" }) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain("resilience");
  });
});

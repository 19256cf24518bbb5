import { describe, expect, it } from "vitest";
import { validateNeoxConfig } from "./neox-validate.ts";
import { buildNeoxConfigs, mergeNeoxConfigs } from "./neox-config.ts";
import { planRun } from "./plan-run.ts";
import { pyFloat } from "./py-float.ts";
import { emmaInput } from "./fixtures.test-support.ts";
import type { NeoxConfig } from "./neox-yaml.ts";

const plan = planRun(emmaInput());
const good = mergeNeoxConfigs(
  buildNeoxConfigs(plan, { index: 1, runId: "r", load: { kind: "init" }, excludeNodes: [] })
);

function rulesFor(edit: Record<string, unknown>, dp = 256): string[] {
  const config = { ...good, ...edit } as NeoxConfig;
  return validateNeoxConfig(config, { dataParallel: dp }).map((i) => `${i.path}: ${i.received} ${i.rule}`);
}

describe("validateNeoxConfig", () => {
  it("accepts the emitted EMMA-500 config", () => {
    expect(rulesFor({})).toEqual([]);
  });

  it("rejects keys NeoX does not have", () => {
    expect(rulesFor({ save_interval: 500 })).toEqual([
      "neox.save_interval: 500 is not a GPT-NeoX config key (NeoX refuses the whole config)"
    ]);
  });

  it("treats hyphenated keys as NeoX does", () => {
    expect(rulesFor({ "train-iters": 5 })).toEqual([]);
  });

  it("checks values against the Python types", () => {
    const out = rulesFor({
      warmup: "0.01",
      finetune: 1,
      norm: "RMSNorm",
      checkpoint_factor: pyFloat(0.5),
      num_layers: pyFloat(32)
    });
    expect(out.sort()).toEqual([
      "neox.finetune: 1 does not match the NeoX type bool",
      "neox.num_layers: 32 does not match the NeoX type int",
      'neox.warmup: "0.01" does not match the NeoX type float'
    ]);
  });

  it("checks the batch identity against the data-parallel size", () => {
    expect(rulesFor({}, 128)).toEqual([
      "neox.train_batch_size: 2048 must equal micro 1 × grad_accum 8 × dp 128 = 1024"
    ]);
  });

  it("requires the LR as a float under optimizer.params and a zero_optimization stage", () => {
    const out = rulesFor({
      optimizer: { type: "Adam", params: { lr: 1 } },
      zero_optimization: { overlap_comm: true }
    });
    expect(out).toEqual([
      "neox.optimizer.params.lr: 1 must be a float: NeoX takes the LR from here, not from `lr`",
      'neox.zero_optimization: {"overlap_comm":true} must be present with a `stage` (bf16 reads it before NeoX fills defaults)'
    ]);
  });

  it("enforces the data rules: all three splits, mmap, at most 254 datasets", () => {
    const paths = Array.from({ length: 255 }, (_, i) => `/d/${i}`);
    const out = rulesFor({
      train_data_paths: paths,
      train_data_weights: paths.map(() => pyFloat(1)),
      test_data_paths: undefined,
      data_impl: "infer"
    });
    expect(out).toEqual(
      expect.arrayContaining([
        "neox.train_data_paths: 255 has more than 254 datasets (NeoX's blend limit)",
        'neox.data_impl: "infer" must be "mmap" (the default "infer" makes NeoX build no dataset)'
      ])
    );
    expect(out.some((l) => l.includes("give all three or none"))).toBe(true);
  });
});

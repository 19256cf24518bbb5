import { describe, expect, it } from "vitest";
import { architectureOf, parseClusterProfile } from "@neoxctl/core";
import { planRun } from "../plan-run.ts";
import { emmaInput } from "../fixtures.test-support.ts";
import { flopsPerToken, parameterCount, swigluWidth } from "./model-flops.ts";
import { bytesPerToken, quotaUse } from "./storage.ts";
import { wallTimeWarning } from "./estimates.ts";

// Llama 3 8B: l = 32, h = 4096, 32 heads of 128, 8 KV heads (kvDim 1024), FFN 14336, V = 128256.
// One layer's matmul weights: 2h² (Q, O) + 2·h·1024 (K, V) + 3·h·14336 = 33,554,432 + 8,388,608
// + 176,160,768 = 218,103,808.
const arch = architectureOf("llama3-8b");
const emma = planRun(emmaInput());
const e = emma.estimates;

describe("model FLOPs (Llama 3 8B, seq 8192)", () => {
  it("builds NeoX's SwiGLU width from intermediate_size", () => {
    // ⌊2 × 14336 / 3⌋ = 9557, rounded up to a multiple of 14336
    expect(swigluWidth(arch)).toBe(14336);
  });

  it("counts the published 8.03B parameters", () => {
    // 32 × (218,103,808 + 2 × 4096 norms) + 4096 final norm + 2 × 128256 × 4096 (untied) = 8,030,261,248
    expect(parameterCount(arch)).toBe(8_030_261_248);
  });

  it("counts forward, model and hardware FLOPs per token", () => {
    const f = flopsPerToken({ arch, seq: 8192, recompute: true });
    // layers: 2 × 32 × 218,103,808 + 4 × 32 × 8192 × 4096 (QKᵀ and AV) = 18,253,611,008
    expect(f.layersForward).toBe(18_253_611_008);
    // logits: 2 × 128256 × 4096
    expect(f.outputForward).toBe(1_050_673_152);
    // model = 3 × forward = 3 × 19,304,284,160
    expect(f.model).toBe(57_912_852_480);
    // recompute adds one more forward of the layers (not of the logits)
    expect(f.hardware).toBe(76_166_463_488);
    expect(flopsPerToken({ arch, seq: 8192, recompute: false }).hardware).toBe(f.model);
  });

  it("reproduces NeoX's own get_flops count, which its logged MFU divides", () => {
    // 72 · l · h² · (1 + s/6h + V/16lh) = 38,654,705,664 × (1 + 1/3 + 0.0611572…) = 53,903,622,144
    expect(flopsPerToken({ arch, seq: 8192, recompute: true }).neoxModel).toBeCloseTo(53_903_622_144, 0);
  });
});

describe("EMMA-500 on 64 LUMI-G nodes", () => {
  const t = e.timing!;

  it("spans the step time over the MFU band from 512 × 191.5 TFLOP/s", () => {
    // 2048 × 8192 = 16,777,216 tokens/step × 57,912,852,480 = 9.71616e17 FLOP/step
    expect(e.tokensPerStep).toBe(16_777_216);
    expect(e.flopsPerStep).toBe(971_616_435_233_095_680);
    // 9.71616e17 / (512 × 191.5e12 × 0.38) = 26.078 s; at 0.25: 39.638 s
    expect(t.stepS.fast).toBeCloseTo(26.078, 3);
    expect(t.stepS.slow).toBeCloseTo(39.638, 3);
  });

  it("sizes a checkpoint from bf16 weights, fp32 master and Adam moments", () => {
    const c = e.checkpoint;
    // 2 + 4 + 8 bytes × 8,030,261,248 parameters
    expect(c.weightsBytes).toBe(16_060_522_496);
    expect(c.masterBytes).toBe(32_121_044_992);
    expect(c.optimizerBytes).toBe(64_242_089_984);
    expect(c.totalBytes).toBe(112_423_657_472);
    // keep_last_n 25 + 1 in flight
    expect(c.storedBytes).toBe(2_923_015_094_272);
    // ZeRO 1: every node writes optimizer shards; tp 2 fits on one node for the weights
    expect(c.optimizerWriterNodes).toBe(64);
    expect(c.weightWriterNodes).toBe(1);
  });

  it("times the save and the training wall-clock", () => {
    // weights from one node at 1.2 GB/s: 16,060,522,496 / 1.2e9 = 13.384 s (the 96 GB of shards take 1.25 s)
    expect(t.saveS).toBeCloseTo(13.384, 3);
    // 40,000 × 26.078 s + 400 saves × 13.384 s = 1,048,469.3 s = 291.24 h
    expect(t.trainingS.fast / 3600).toBeCloseTo(291.24, 2);
    // 40,000 × 39.638 s + 400 × 13.384 s = 1,590,889.5 s = 441.91 h
    expect(t.trainingS.slow / 3600).toBeCloseTo(441.91, 2);
    // ⌈291.24 / 48⌉ = 7, ⌈441.91 / 48⌉ = 10
    expect(t.jobs).toEqual({ fast: 7, slow: 10 });
  });

  it("bills 4 GPU-hours per node-hour", () => {
    // 291.24 h × 64 nodes = 18,639 node-hours → 74,558 GPU-hours; 441.91 h → 113,130
    expect(t.nodeHours.fast).toBeCloseTo(18_639.5, 0);
    expect(t.billing?.units.fast).toBeCloseTo(74_558, 0);
    expect(t.billing?.units.slow).toBeCloseTo(113_130, 0);
    expect(t.deviceHours.slow).toBeCloseTo(441.91 * 512, -1);
  });

  it("gives the cadence in hours and the Young/Daly interval from the failure prior", () => {
    // 100 steps × 26.078 s = 0.724 h; × 39.638 s = 1.101 h
    expect(t.cadence.intervalS.fast / 3600).toBeCloseTo(0.724, 3);
    expect(t.cadence.intervalS.slow / 3600).toBeCloseTo(1.101, 3);
    // 3.8 failures per 1000 node-days → one per 263.16 node-days; on 64 nodes 4.112 days = 355,263 s
    expect(t.cadence.jobMtbfS).toBeCloseTo(355_263.16, 1);
    // √(2 × 13.384 × 355,263) = 3,083.8 s ≈ 118 steps at 26.1 s, 78 at 39.6 s
    expect(t.cadence.youngDalyS).toBeCloseTo(3083.75, 1);
    expect(t.cadence.youngDalySteps).toEqual({ fast: 118, slow: 78 });
  });

  it("stores tokens as int32 for a 128k vocabulary and checks the quota", () => {
    expect(bytesPerToken(128256)).toBe(4);
    expect(bytesPerToken(50304)).toBe(2);
    expect(e.data.bytesPerToken).toBe(4);
    const scratch = e.quotas.find((q) => q.path === "/scratch/project_462000000");
    expect(scratch?.over).toBe(false);
    expect(scratch?.usedBytes).toBe(e.checkpoint.storedBytes! + e.data.sourceBytes + e.data.mergedBytes);
  });

  it("takes the MFU band from the spec over the profile's", () => {
    const p = planRun(emmaInput((y) => `${y}\nestimates: {mfu: {low: 0.5, high: 0.5}}\n`));
    // half the FLOPs per second of 0.25: half of 39.638 s
    expect(p.estimates.timing?.stepS.slow).toBeCloseTo(19.819, 3);
    expect(p.estimates.timing?.mfuFrom).toBe("spec");
  });

  it("sets NeoX's peak_theoretical_tflops so the logs carry MFU", async () => {
    const { buildNeoxConfigs } = await import("../neox-config.ts");
    const { PyFloat } = await import("../py-float.ts");
    const train = buildNeoxConfigs(emma, {
      index: 1,
      runId: "r",
      load: { kind: "init" },
      excludeNodes: []
    }).train;
    expect(train["peak_theoretical_tflops"]).toEqual(new PyFloat(191.5));
  });
});

describe("quotas", () => {
  it("warns when checkpoints and data exceed a quota", () => {
    const input = emmaInput();
    const profile = parseClusterProfile(
      JSON.stringify({
        ...input.profile,
        estimates: { peak_tflops_per_device: 191.5, quotas: [{ path: "/scratch/project_462000000", tb: 1 }] }
      }),
      "lumi-small-quota.yaml"
    );
    const p = planRun({ ...input, profile });
    expect(p.estimates.quotas[0]?.over).toBe(true);
    expect(p.estimates.warnings.join("\n")).toMatch(/exceeds its quota/);
  });

  it("counts a path only under the directories that hold it", () => {
    const uses = quotaUse(
      [
        { path: "/scratch/a", tb: 1 },
        { path: "/scratch/ab", tb: 1 }
      ],
      [{ path: "/scratch/ab/x", bytes: 5 }]
    );
    expect(uses.map((u) => u.usedBytes)).toEqual([0, 5]);
  });
});

describe("checkpoint size by precision", () => {
  it("keeps no master copy in fp32", async () => {
    const { checkpointSize } = await import("./checkpoint-size.ts");
    const layout = emma.layout;
    const fp32 = checkpointSize({ params: 1000, precision: "fp32", zeroStage: 0, layout });
    // 4 bytes of weights + 8 of Adam; ZeRO 0: the optimizer comes from the weights' node
    expect(fp32).toMatchObject({
      weightsBytes: 4000,
      masterBytes: 0,
      optimizerBytes: 8000,
      totalBytes: 12000
    });
    expect(fp32.optimizerWriterNodes).toBe(1);
  });
});

describe("wall time against the checkpoint interval", () => {
  it("warns when a job's time minus the exit margin holds at most one checkpoint interval", () => {
    const t = e.timing!;
    const interval = t.cadence.intervalS.slow + t.saveS;
    // a limit of exit margin + 1.5 intervals: one interval fits, the second does not
    const minutes = Math.ceil(emma.spec.resilience.exit_margin_min + (1.5 * interval) / 60);
    const time = `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}:00`;
    const tight = { ...emma, spec: { ...emma.spec, cluster: { ...emma.spec.cluster, time } } };
    expect(wallTimeWarning(tight, t)).toMatch(/room for 1 checkpoint interval .*every attempt would end/);
    expect(wallTimeWarning(emma, t)).toBeUndefined();
    expect(e.warnings.join("\n")).not.toMatch(/checkpoint interval/);
  });
});

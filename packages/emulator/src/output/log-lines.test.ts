import { describe, expect, it } from "vitest";
import { evalBlock, timersLine, trainingLine } from "./log-lines.ts";

// NeoX's training line as a regex, derived from the format strings of training_log() in
// EleutherAI/gpt-neox@ea7aefd8f8e183256992d9fede4d7c71a46d67a5 megatron/logging.py (the MFU/HFU fields are optional, added in #1331).
const NEOX_LINE =
  /^\s*samples\/sec: (?<sps>[\d.]+) \| iteration\s+(?<it>\d+)\/\s*(?<total>\d+) \| elapsed time per iteration \(ms\): (?<ms>[\d.]+) \| learning rate: (?<lr>[-+\dE.]+|NAN|INF) \| approx flops per GPU: (?<flops>[^|]+) \|(?: MFU: (?<mfu>[\d.]+)% \| HFU: (?<hfu>[\d.]+)% \|)?(?<losses>(?: [\w ]+: (?:[-+\dE.]+|NAN|-?INF) \|)*?)(?: loss scale: (?<scale>[\d.]+) \|)? number of skipped iterations:\s*(?<skipped>\d+) \| number of nan iterations:\s*(?<nan>\d+) \|/;

const base = {
  samplesPerSec: 83.2519,
  iteration: 100,
  trainIters: 40000,
  msPerIter: 24600,
  lr: 2.5e-5,
  flopsPerGpu: 95.7e12,
  mfu: null,
  lmLoss: 2.3456789,
  lossScale: null,
  skipped: 0,
  nan: 0
};

describe("NeoX log lines", () => {
  it("reproduces the reference bf16 line byte for byte", () => {
    expect(trainingLine(base)).toBe(
      " samples/sec: 83.252 | iteration      100/   40000 | elapsed time per iteration (ms): 24600.0 | learning rate: 2.500E-05 | approx flops per GPU: 95.7TFLOPS | lm_loss: 2.345679E+00 | number of skipped iterations:   0 | number of nan iterations:   0 |"
    );
  });
  it("reproduces the NaN, fp16 and MFU variants", () => {
    expect(trainingLine({ ...base, lmLoss: NaN })).toContain("| lm_loss: NAN | number of skipped");
    expect(trainingLine({ ...base, lossScale: 65536, skipped: 2, nan: 1 })).toBe(
      " samples/sec: 83.252 | iteration      100/   40000 | elapsed time per iteration (ms): 24600.0 | learning rate: 2.500E-05 | approx flops per GPU: 95.7TFLOPS | lm_loss: 2.345679E+00 | loss scale: 65536.0 | number of skipped iterations:   2 | number of nan iterations:   1 |"
    );
    expect(trainingLine({ ...base, lr: 1e-4, mfu: { mfu: 30.12, hfu: 40.16 } })).toContain(
      "| learning rate: 1.000E-04 | approx flops per GPU: 95.7TFLOPS | MFU: 30.12% | HFU: 40.16% | lm_loss:"
    );
  });
  it("every variant matches the reference regex with the right fields", () => {
    for (const v of [
      base,
      { ...base, lmLoss: NaN },
      { ...base, lossScale: 4096, skipped: 3 },
      { ...base, mfu: { mfu: 1, hfu: 2 } }
    ]) {
      const m = NEOX_LINE.exec(trainingLine(v));
      expect(m).not.toBeNull();
      expect(m?.groups?.["it"]).toBe("100");
      expect(m?.groups?.["losses"]).toMatch(/lm_loss: /);
    }
  });
  it("frames the eval line with dashes one longer", () => {
    const [d1, line, d2] = evalBlock("iteration 1000", 2.123456);
    expect(line).toBe(
      " validation results at iteration 1000 | lm_loss value: 2.123456E+00 | lm_loss_ppl value: 8.359980E+00 | "
    );
    expect(d1).toBe(d2);
    expect(d1?.length).toBe((line?.length ?? 0) + 1);
  });
  it("prints an empty timer list under pipeline parallelism", () => {
    expect(timersLine(100, true)).toBe("time (ms)");
    expect(timersLine(100, false)).toMatch(/^time \(ms\) \| forward: 30\.00 \| backward: 60\.00 \|/);
  });
});

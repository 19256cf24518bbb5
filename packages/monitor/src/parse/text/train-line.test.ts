import { describe, expect, it } from "vitest";
import { parseLine } from "./parse-line.ts";
import type { TrainEvent } from "../events.ts";

const HEAD =
  " samples/sec: 83.252 | iteration      100/   40000 | elapsed time per iteration (ms): 24600.0 | learning rate: 2.500E-05 | approx flops per GPU: 95.7TFLOPS |";

function train(line: string): TrainEvent {
  const ev = parseLine(line);
  if (ev?.kind !== "train") throw new Error(`not a train line: ${JSON.stringify(ev)}`);
  return ev;
}

describe("NeoX training line", () => {
  it("parses the bf16 line", () => {
    const ev = train(
      `${HEAD} lm_loss: 2.345679E+00 | number of skipped iterations:   0 | number of nan iterations:   0 |`
    );
    expect(ev).toMatchObject({
      format: "neox",
      step: 100,
      totalSteps: 40000,
      loss: 2.345679,
      lr: 2.5e-5,
      iterMs: 24600,
      samplesPerSec: 83.252,
      flopsPerGpu: "95.7TFLOPS",
      lossScale: null,
      skippedIters: 0,
      nanIters: 0,
      mfuPct: null
    });
  });

  it("turns bf16 NAN into NaN, not a missing loss", () => {
    const ev = train(
      `${HEAD} lm_loss: NAN | number of skipped iterations:   0 | number of nan iterations:   0 |`
    );
    expect(Number.isNaN(ev.loss)).toBe(true);
  });

  it("reads fp16 loss scale and counters", () => {
    const ev = train(
      `${HEAD} lm_loss: 2.345679E+00 | loss scale: 65536.0 | number of skipped iterations:   2 | number of nan iterations:   1 |`
    );
    expect(ev).toMatchObject({ lossScale: 65536, skippedIters: 2, nanIters: 1, loss: 2.345679 });
    expect(Object.keys(ev.losses)).toEqual(["lm_loss"]);
  });

  it("reads MFU/HFU and extra loss keys", () => {
    const ev = train(
      `${HEAD} MFU: 30.12% | HFU: 40.16% | lm_loss: 2.345679E+00 | kl_loss: 1.5E-01 | number of skipped iterations:   0 | number of nan iterations:   0 |`
    );
    expect(ev).toMatchObject({
      mfuPct: 30.12,
      hfuPct: 40.16,
      loss: 2.345679,
      losses: { lm_loss: 2.345679, kl_loss: 0.15 }
    });
  });

  it("reads INF", () => {
    expect(
      train(`${HEAD} lm_loss: INF | number of skipped iterations:   0 | number of nan iterations:   0 |`).loss
    ).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("Megatron-DeepSpeed training line", () => {
  it("parses the BigScience line with a [defaultN]: prefix and seconds per iteration", () => {
    const ev = train(
      "[default7]: iteration    31219/  115311 | consumed samples:     47778736 | consumed tokens:  97850851328 | elapsed time per iteration (s): 106.36 | learning rate: 5.279E-05 | global batch size:  2048 | lm loss: 5.098124E+00 | grad norm: 960.351 | num zeros: 0.0 | number of skipped iterations:   0 | number of nan iterations:   0 | samples per second: 19.256 | TFLOPs: 147.43 |"
    );
    expect(ev).toMatchObject({
      format: "megatron",
      step: 31219,
      totalSteps: 115311,
      loss: 5.098124,
      gradNorm: 960.351,
      iterMs: 106360,
      samplesPerSec: 19.256
    });
    expect(Object.keys(ev.losses)).toEqual(["lm loss"]);
  });

  it("gives a null loss when the line has none (all steps in the window skipped)", () => {
    const ev = train(
      " iteration     9027/  159576 | consumed samples:       540656 | elapsed time per iteration (ms): 63274.6 | learning rate: 6.000E-05 | global batch size:   192 | loss scale: 8192.0 | grad norm: 20609.780 | num zeros: 0.0 | number of skipped iterations:   1 | number of nan iterations:   0 |"
    );
    expect(ev.loss).toBeNull();
    expect(ev.lossScale).toBe(8192);
  });

  it("is rejected when the caller insists on the NeoX format", () => {
    expect(parseLine(" iteration    10/  100 | lm loss: 2.0E+00 |", "neox")).toBeNull();
    expect(parseLine(" iteration    10/  100 | lm loss: 2.0E+00 |", "megatron")).toMatchObject({
      kind: "train",
      loss: 2
    });
  });
});

describe("llm.c line", () => {
  it("parses train and eval lines", () => {
    expect(parseLine("s:12 trl:9.7924 lr:0.000011 norm:3.01")).toMatchObject({
      kind: "train",
      format: "llmc",
      step: 12,
      loss: 9.7924,
      lr: 0.000011,
      gradNorm: 3.01
    });
    expect(parseLine("s:250 tel:6.1710")).toEqual({
      kind: "eval",
      format: "llmc",
      step: 250,
      losses: { tel: 6.171 }
    });
  });
});

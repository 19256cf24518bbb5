import { describe, expect, it } from "vitest";
import { hangPolicyFromSpec, judgeHang } from "./hang-detector.ts";
import type { HangPolicy } from "./hang-detector.ts";

const policy: HangPolicy = { k: 10, floorMs: 1000, startupGraceMs: 5000, recentSteps: 20 };
const every = (ms: number, n: number, stepEvery = 1, t0 = 0): { step: number; atMs: number }[] =>
  Array.from({ length: n }, (_, i) => ({ step: (i + 1) * stepEvery, atMs: t0 + (i + 1) * ms * stepEvery }));

describe("judgeHang", () => {
  it("ignores jobs that are not running", () => {
    expect(judgeHang("PENDING", 0, [], 1e9, policy)).toEqual({ state: "not_running" });
    expect(judgeHang("ENDED", 0, [], 1e9, policy)).toEqual({ state: "not_running" });
  });

  it("gives the startup grace before the first iteration", () => {
    expect(judgeHang("RUNNING", 100, [], 5000, policy)).toEqual({ state: "starting", deadlineMs: 5100 });
    expect(judgeHang("RUNNING", 100, [], 5101, policy)).toMatchObject({ state: "hung", lastStep: null });
  });

  it("uses k × median step time when that exceeds the floor", () => {
    const its = every(500, 30);
    const last = 30 * 500;
    expect(judgeHang("RUNNING", 0, its, last + 5000, policy)).toMatchObject({
      state: "progressing",
      medianStepMs: 500
    });
    expect(judgeHang("RUNNING", 0, its, last + 5001, policy)).toMatchObject({
      state: "hung",
      lastStep: 30,
      limitMs: 5000
    });
  });

  it("uses the floor for fast steps", () => {
    const its = every(10, 30);
    expect(judgeHang("RUNNING", 0, its, 300 + 999, policy).state).toBe("progressing");
    expect(judgeHang("RUNNING", 0, its, 300 + 1001, policy).state).toBe("hung");
  });

  it("scales with log_interval: lines every 10 steps are expected 10 steps apart", () => {
    const its = every(50, 20, 10);
    const verdict = judgeHang("RUNNING", 0, its, 20 * 500 + 4999, policy);
    expect(verdict).toMatchObject({ state: "progressing", medianStepMs: 50 });
  });

  it("is robust to one slow step (checkpoint save) in the median", () => {
    const its = every(100, 30);
    its.push({ step: 31, atMs: 3000 + 60_000 });
    expect(judgeHang("RUNNING", 0, its, 63_000 + 1001, policy)).toMatchObject({
      state: "hung",
      medianStepMs: 100
    });
  });

  it("ignores iterations from before this job started (a resumed run)", () => {
    const old = every(100, 10);
    expect(judgeHang("RUNNING", 10_000, old, 12_000, policy)).toEqual({
      state: "starting",
      deadlineMs: 15_000
    });
  });

  it("prefers the printed step time: a log replayed in one instant still gets k × step time", () => {
    // all lines seen at t=1000 (read in one go); each printed 500 ms per step, lines every 10 steps
    const its = Array.from({ length: 5 }, (_, i) => ({ step: (i + 1) * 10, atMs: 1000, stepMs: 500 }));
    expect(judgeHang("RUNNING", 0, its, 1000 + 50_000, policy)).toMatchObject({
      state: "progressing",
      medianStepMs: 500
    });
    expect(judgeHang("RUNNING", 0, its, 1000 + 50_001, policy)).toMatchObject({
      state: "hung",
      limitMs: 50_000
    });
    // without printed times the zero gaps give no scale: the floor applies
    const bare = its.map(({ step, atMs }) => ({ step, atMs }));
    expect(judgeHang("RUNNING", 0, bare, 1000 + 1001, policy)).toMatchObject({
      state: "hung",
      limitMs: 1000
    });
  });
});

describe("hangPolicyFromSpec", () => {
  it("converts the spec's seconds to milliseconds", () => {
    expect(hangPolicyFromSpec({ k: 5, floor_s: 2, startup_grace_s: 60 })).toEqual({
      k: 5,
      floorMs: 2000,
      startupGraceMs: 60_000,
      recentSteps: 20
    });
  });
});

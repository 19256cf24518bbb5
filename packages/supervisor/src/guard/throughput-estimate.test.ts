import { describe, expect, it } from "vitest";
import { ThroughputGuard } from "./throughput.ts";
import type { TimedSample } from "./throughput.ts";

const MIN = 60_000;
const policy = { enabled: true, factor: 1.5, window_min: 10 };

/** windows from..to at `ms`, one a minute from `t0` */
function windows(from: number, to: number, ms: number, t0: number): TimedSample[] {
  const out: TimedSample[] = [];
  for (let s = from; s <= to; s++) out.push({ step: s, ms, at: t0 + (s - from) * MIN });
  return out;
}

describe("throughput guard against the plan's estimate", () => {
  it("a run slow from its first window, with no baseline to compare, is judged against the estimate", () => {
    const g = new ThroughputGuard();
    g.onAttempt(1, ["nid001"], []);
    // the estimate's slow end is 24 s; the run takes 40 s from the start (a network fallback, say)
    g.feed(windows(1, 12, 40_000, 0), policy, 24_000);
    expect(g.judge(5 * MIN, policy)).toBeUndefined();
    const f = g.judge(12 * MIN, policy);
    expect(f).toMatchObject({
      kind: "slowdown",
      reference: "estimate",
      baselineMs: 24_000,
      currentMs: 40_000
    });
    expect(f?.kind === "slowdown" && f.sinceStep).toBe(2);
  });

  it("a run within factor × the estimate raises nothing, nor does one without an estimate", () => {
    for (const estimate of [30_000, undefined]) {
      const g = new ThroughputGuard();
      g.onAttempt(1, ["nid001"], []);
      g.feed(windows(1, 30, 40_000, 0), policy, estimate);
      expect(g.judge(30 * MIN, policy)).toBeUndefined();
    }
  });

  it("the run's own baseline is asked first: a run faster than planned that halves its speed is a baseline slowdown", () => {
    const g = new ThroughputGuard();
    g.onAttempt(1, ["nid001"], []);
    g.feed(windows(1, 10, 10_000, 0), policy, 24_000);
    g.feed(windows(11, 25, 20_000, 10 * MIN), policy, 24_000);
    expect(g.judge(25 * MIN, policy)).toMatchObject({ reference: "baseline", baselineMs: 10_000 });
  });
});

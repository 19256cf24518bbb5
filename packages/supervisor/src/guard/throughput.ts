import { median } from "../chain/step-stats.ts";

/** A logged training window: its step, NeoX's ms per iteration, and when the supervisor read it. */
export interface TimedSample {
  step: number;
  ms: number;
  /** epoch ms */
  at: number;
}

export interface SlowdownPolicy {
  enabled: boolean;
  factor: number;
  window_min: number;
}

export type Finding =
  | {
      kind: "slowdown";
      attempt: number;
      nodes: string[];
      baselineMs: number;
      currentMs: number;
      /** which reference the step time was judged against */
      reference: "baseline" | "estimate";
      since: number;
      sinceStep: number;
    }
  | { kind: "suspect"; attempt: number; nodes: string[]; slowAttempt: number; baselineMs: number };

/** Healthy windows kept for the baseline, and how many it needs before it judges. */
const BASELINE_WINDOWS = 50;
const MIN_BASELINE = 5;
/** healthy windows of a later attempt that clear the excluded node's successor set */
const MIN_HEALTHY_AFTER = 3;

interface SlowStretch {
  since: number;
  sinceStep: number;
  /** began before the attempt logged a healthy window: came with its node set */
  fromStart: boolean;
  ms: number[];
  reference: "baseline" | "estimate";
  refMs: number;
}

/**
 * The throughput guard of one run: step time against the run's own recent baseline (healthy
 * windows of this and earlier attempts) and, when given, the plan's estimate. A stretch of slow
 * windows lasting `window_min` is a slowdown, raised once. A slowdown that began with an attempt
 * on a new node set, followed by a healthy attempt after a node was excluded, points at that node.
 */
export class ThroughputGuard {
  private healthy: number[] = [];
  private attempt = 0;
  private nodes: string[] = [];
  private prevNodes: string[] | undefined;
  private excluded: string[] = [];
  private seen = 0;
  private healthyHere = 0;
  private slow: SlowStretch | null = null;
  private raised = false;
  private suspectFrom: { attempt: number; nodes: string[]; baselineMs: number } | undefined;

  /** Called for each attempt as it is watched; a new index starts a new stretch. */
  onAttempt(index: number, nodes: readonly string[], excluded: readonly string[]): void {
    if (index === this.attempt) {
      if (nodes.length) this.nodes = [...nodes];
      this.excluded = [...excluded];
      return;
    }
    this.prevNodes = this.attempt ? this.nodes : undefined;
    this.attempt = index;
    this.nodes = [...nodes];
    this.excluded = [...excluded];
    this.seen = 0;
    this.healthyHere = 0;
    this.slow = null;
    this.raised = false;
  }

  /** New windows of the current attempt. */
  feed(samples: readonly TimedSample[], policy: SlowdownPolicy, estimateMs?: number): Finding[] {
    const out: Finding[] = [];
    for (const s of samples) {
      // the first window carries compilation, allocator warm-up and the data loader's start
      if (this.seen++ === 0) continue;
      const baseline = this.healthy.length >= MIN_BASELINE ? median(this.healthy) : undefined;
      const slowVs =
        baseline !== undefined && s.ms > policy.factor * baseline
          ? { reference: "baseline" as const, refMs: baseline }
          : estimateMs !== undefined && s.ms > policy.factor * estimateMs
            ? { reference: "estimate" as const, refMs: estimateMs }
            : undefined;
      if (slowVs) {
        if (!this.slow)
          this.slow = {
            since: s.at,
            sinceStep: s.step,
            fromStart: this.healthyHere === 0,
            ms: [],
            ...slowVs
          };
        this.slow.ms.push(s.ms);
        continue;
      }
      this.slow = null;
      this.raised = false;
      this.healthy.push(s.ms);
      if (this.healthy.length > BASELINE_WINDOWS) this.healthy.shift();
      this.healthyHere += 1;
      const f = this.clearSuspect();
      if (f) out.push(f);
    }
    return out;
  }

  /** A slowdown once the slow stretch has lasted the policy's window (at most once per stretch). */
  judge(now: number, policy: SlowdownPolicy): Finding | undefined {
    const s = this.slow;
    if (!policy.enabled || !s || this.raised || now - s.since < policy.window_min * 60_000) return undefined;
    this.raised = true;
    const newNodes =
      this.prevNodes !== undefined &&
      [...this.prevNodes].sort().join(",") !== [...this.nodes].sort().join(",");
    if (s.fromStart && newNodes)
      this.suspectFrom = { attempt: this.attempt, nodes: [...this.nodes], baselineMs: s.refMs };
    return {
      kind: "slowdown",
      attempt: this.attempt,
      nodes: [...this.nodes],
      baselineMs: s.refMs,
      currentMs: median(s.ms) ?? s.refMs,
      reference: s.reference,
      since: s.since,
      sinceStep: s.sinceStep
    };
  }

  private clearSuspect(): Finding | undefined {
    const from = this.suspectFrom;
    if (!from || this.attempt <= from.attempt || this.healthyHere < MIN_HEALTHY_AFTER) return undefined;
    this.suspectFrom = undefined;
    const gone = from.nodes.filter((n) => !this.nodes.includes(n) && this.excluded.includes(n));
    if (!gone.length) return undefined;
    return {
      kind: "suspect",
      attempt: this.attempt,
      nodes: gone,
      slowAttempt: from.attempt,
      baselineMs: from.baselineMs
    };
  }
}

import type { Summary } from "./stats.ts";

/** A target from the issue: `<=` for latencies and costs, `>=` for throughputs and ratios. */
interface Target {
  op: "<=" | ">=";
  value: number;
  /** which statistic the target applies to */
  on: "p50" | "p95" | "value";
}

/** One measured quantity, e.g. spike_to_decision_ms over SSH. */
export interface Measurement {
  metric: string;
  /** what varies between rows of one figure: "local", "ssh", "100 jobs" … */
  case: string;
  unit: string;
  summary: Summary;
  /** the alternative measured the same way in the same run (grep, naive poller) */
  anchor?: { label: string; summary: Summary };
  /** measured / anchor medians, when an anchor exists */
  ratio?: number;
  target?: Target;
  /** undefined when there is no target */
  met?: boolean;
}

export interface FigureResult {
  name: FigureName;
  title: string;
  /** exactly what was timed, including any part that could not be measured */
  scope: string;
  measurements: Measurement[];
  notes: string[];
  durationMs: number;
}

export const FIGURE_NAMES = [
  "spike",
  "nodefail",
  "rpcs",
  "parse",
  "follow",
  "plan",
  "gaps",
  "startup",
  "simulate"
] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];

/** `--quick` without `--only` runs every figure but the queue gaps, whose runs take minutes of real jobs. */
export const QUICK_FIGURES: readonly FigureName[] = [
  "spike",
  "nodefail",
  "rpcs",
  "parse",
  "follow",
  "plan",
  "startup",
  "simulate"
];

export interface BenchOptions {
  quick: boolean;
  repoRoot: string;
  log: (line: string) => void;
}

export function checkTarget(m: Omit<Measurement, "met">): Measurement {
  if (!m.target) return m;
  const t = m.target;
  const x = t.on === "p95" ? m.summary.p95 : t.on === "p50" ? m.summary.p50 : (m.ratio ?? m.summary.p50);
  return { ...m, met: t.op === "<=" ? x <= t.value : x >= t.value };
}

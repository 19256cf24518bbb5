import type { FigureResult, Measurement } from "./result.ts";

function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return "–";
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

function targetText(m: Measurement): string {
  if (!m.target) return "–";
  const on = m.target.on === "value" ? (m.anchor ? "ratio" : "") : m.target.on;
  return `${on} ${m.target.op} ${fmt(m.target.value)}`.trim();
}

function metText(m: Measurement): string {
  return m.met === undefined ? "–" : m.met ? "yes" : "MISSED";
}

/** One row per measurement, as cells, for both the console table and BENCHMARKS.md. */
export function rows(results: readonly FigureResult[]): string[][] {
  const out: string[][] = [];
  for (const r of results) {
    for (const m of r.measurements) {
      const s = m.summary;
      out.push([
        m.metric,
        m.case,
        `${fmt(s.p50)} ${m.unit}`,
        fmt(s.p95),
        `${fmt(s.spread.lo)}–${fmt(s.spread.hi)} (${s.spread.kind}, n=${s.n})`,
        m.anchor ? `${fmt(m.anchor.summary.p50)} (${m.anchor.label})` : "–",
        m.ratio === undefined ? "–" : fmt(m.ratio),
        targetText(m),
        metText(m)
      ]);
    }
  }
  return out;
}

export const HEADER = ["metric", "case", "p50", "p95", "spread", "anchor p50", "ratio", "target", "met"];

export function consoleTable(results: readonly FigureResult[]): string {
  const all = [HEADER, ...rows(results)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [line(HEADER), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}

import type { Estimates, Span, TimingEstimates } from "./estimates.ts";

function g(flops: number): string {
  return `${(flops / 1e9).toFixed(1)} GFLOP`;
}

function bytes(n: number): string {
  return n >= 1e12 ? `${(n / 1e12).toFixed(2)} TB` : `${(n / 1e9).toFixed(1)} GB`;
}

function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function range(s: Span, f: (n: number) => string, unit = ""): string {
  const a = f(s.fast);
  const b = f(s.slow);
  return a === b ? `${a}${unit}` : `${a}–${b}${unit}`;
}

const nodes = (n: number): string => `${n} node${n === 1 ? "" : "s"}`;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const fixed1 = (n: number): string => n.toFixed(1);

function duration(s: number): string {
  if (s >= 2 * 86400) return `${(s / 86400).toFixed(1)} d`;
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  return `${s.toFixed(1)} s`;
}

/** Spares are billed while they wait: say how much of the figure they are. */
function spareNote(e: Estimates, t: TimingEstimates): string {
  if (e.spareNodes === 0) return "";
  const share = e.spareNodes / (e.nodes + e.spareNodes);
  return `; includes ${e.spareNodes} spare node${e.spareNodes === 1 ? "" : "s"} held all the time: ${range({ fast: t.nodeHours.fast * share, slow: t.nodeHours.slow * share }, int)} node-hours (${pct(share)})`;
}

function timingLines(e: Estimates, t: TimingEstimates, factor: number): string[] {
  const c = t.cadence;
  const billed =
    t.billing === null
      ? ""
      : `; ${range(t.billing.units, int)} ${t.billing.unit} (${t.billing.perNodeHour} per node-hour)`;
  return [
    `  step time   ${range(t.stepS, fixed1, " s")} at MFU ${pct(t.mfu.high)}–${pct(t.mfu.low)} (${t.mfuFrom}) of ${t.peakTflopsPerDevice} TFLOP/s per device; ${range(
      { fast: e.tokensPerStep / t.stepS.fast, slow: e.tokensPerStep / t.stepS.slow },
      int,
      " tokens/s"
    )}`,
    `  wall-clock  ${range({ fast: t.trainingS.fast / 3600, slow: t.trainingS.slow / 3600 }, fixed1, " h")} of training (${range({ fast: t.trainingS.fast / 86400, slow: t.trainingS.slow / 86400 }, fixed1, " days")}), queue waits and restarts not included`,
    `  jobs        ${range(t.jobs, String)} at the partition's ${t.maxTime} limit`,
    `  GPU-hours   ${range(t.deviceHours, int)} device-hours, ${range(t.nodeHours, int)} node-hours${billed}${spareNote(e, t)}`,
    `  cadence     checkpoint every ${factor} steps = ${range({ fast: c.intervalS.fast / 3600, slow: c.intervalS.slow / 3600 }, (n) => n.toFixed(2), " h")} (overhead ${range(c.overheadConfigured, pct)}); save ≈ ${duration(t.saveS)}`,
    `  Young/Daly  √(2 × save × MTBF) = ${duration(c.youngDalyS)} ≈ ${range(c.youngDalySteps, int)} steps (overhead ${pct(c.overheadYoungDaly)}) for a job MTBF of ${duration(c.jobMtbfS)}${c.youngDalyS > t.trainingS.slow ? " (longer than the whole run)" : ""}`
  ];
}

/** The estimate block of `neoxctl plan`'s summary. */
export function estimateLines(e: Estimates, checkpointFactor: number): string[] {
  const f = e.flopsPerToken;
  const c = e.checkpoint;
  const lines = [
    "estimates (formulas and sources: docs/estimates.md):",
    `  compute     ${g(f.model)}/token model, ${g(f.hardware)}/token with recompute (HFU); ${e.flopsPerStep.toExponential(3)} FLOP/step; ${(e.parameters / 1e9).toFixed(2)}B parameters`,
    `  NeoX MFU    NeoX's logged MFU counts ${g(f.neoxModel)}/token, ${(f.neoxModel / f.model).toFixed(3)} × these`
  ];
  if (e.timing === null)
    lines.push("  (no estimates: section in the cluster profile: no time, cost or cadence)");
  else lines.push(...timingLines(e, e.timing, checkpointFactor));
  lines.push(
    `  checkpoint  ${bytes(c.totalBytes)} each (weights ${bytes(c.weightsBytes)} + fp32 master ${bytes(c.masterBytes)} + Adam ${bytes(c.optimizerBytes)}; weights from ${nodes(c.weightWriterNodes)}, optimizer from ${nodes(c.optimizerWriterNodes)})` +
      (c.storedBytes === null ? "" : `; ${bytes(c.storedBytes)} on disk at keep ${c.kept} + 1 in flight`),
    `  data        ${bytes(e.data.sourceBytes)} tokenized (${e.data.bytesPerToken} B/token)` +
      (e.data.mergedBytes > 0 ? ` + ${bytes(e.data.mergedBytes)} of merged groups` : "")
  );
  for (const q of e.quotas)
    lines.push(
      `  quota       ${q.path}: ${bytes(q.usedBytes)} of ${bytes(q.quotaBytes)} (${pct(q.usedBytes / q.quotaBytes)})${q.over ? " OVER" : ""}`
    );
  for (const w of e.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

import { checkpointOverhead, slurmTimeMinutes, youngDalyIntervalS } from "@neoxctl/core";
import { spareNodes } from "../spares.ts";
import type { EstimatesProfile, MfuBand } from "@neoxctl/core";
import type { CheckpointPlan, Plan } from "../types.ts";
import { flopsPerToken, parameterCount } from "./model-flops.ts";
import type { FlopsPerToken } from "./model-flops.ts";
import { checkpointSize, saveSeconds } from "./checkpoint-size.ts";
import type { CheckpointSize } from "./checkpoint-size.ts";
import { dataSize, quotaUse } from "./storage.ts";
import type { DataSize, QuotaUse, StoredItem } from "./storage.ts";

/** An estimate under the optimistic (`fast`, high MFU) and pessimistic (`slow`, low MFU) end of the band. */
export interface Span {
  fast: number;
  slow: number;
}

/** Figures that need the profile's `estimates:` (peak FLOPs, MFU, bandwidth, failure prior). */
export interface TimingEstimates {
  peakTflopsPerDevice: number;
  mfu: MfuBand;
  mfuFrom: "spec" | "profile";
  stepS: Span;
  /** steps plus the blocking saves of an uninterrupted run */
  trainingS: Span;
  maxTime: string;
  jobs: Span;
  deviceHours: Span;
  nodeHours: Span;
  billing: { unit: string; perNodeHour: number; units: Span } | null;
  saveS: number;
  cadence: {
    intervalS: Span;
    jobMtbfS: number;
    youngDalyS: number;
    youngDalySteps: Span;
    overheadConfigured: Span;
    overheadYoungDaly: number;
  };
}

export interface Estimates {
  /** the nodes that train */
  nodes: number;
  /** spare nodes each job holds beside them (resilience.spare_nodes): allocated, so billed, the whole time */
  spareNodes: number;
  devices: number;
  parameters: number;
  flopsPerToken: FlopsPerToken;
  tokensPerStep: number;
  flopsPerStep: number;
  checkpoint: CheckpointSize & { kept: number | null; storedBytes: number | null };
  data: DataSize;
  quotas: QuotaUse[];
  /** null when the cluster profile has no `estimates:` section */
  timing: TimingEstimates | null;
  warnings: string[];
}

type EstimateBase = Pick<Plan, "spec" | "profile" | "arch" | "layout" | "data"> & {
  checkpoints: CheckpointPlan;
};

function span(f: (mfu: number) => number, mfu: MfuBand): Span {
  return { fast: f(mfu.high), slow: f(mfu.low) };
}

function timing(
  p: EstimateBase,
  e: EstimatesProfile,
  ckpt: CheckpointSize,
  flopsPerStep: number
): TimingEstimates {
  const l = p.layout;
  const mfu = p.spec.estimates?.mfu ?? e.mfu;
  const stepAt = (m: number): number => flopsPerStep / (l.gcds * e.peak_tflops_per_device * 1e12 * m);
  const saveS = saveSeconds(ckpt, e.checkpoint_write_gb_s_per_node);
  const trainingAt = (m: number): number => l.trainIters * stepAt(m) + p.checkpoints.expected * saveS;
  const maxTimeS = slurmTimeMinutes(p.profile.scheduler.max_time) * 60;
  const hoursAt = (m: number): number => trainingAt(m) / 3600;
  // a node fails every 1000/rate node-days, so a job on n nodes sees one every 1000/(rate·n) days
  const jobMtbfS = ((1000 / e.node_failures_per_1000_node_days) * 86400) / l.nodes;
  const youngDalyS = youngDalyIntervalS({ saveS, mtbfS: jobMtbfS });
  const intervalAt = (m: number): number => p.checkpoints.factor * stepAt(m);
  const billing = e.billing;
  // spares are allocated for the whole job and billed like the nodes that train
  const held = l.nodes + spareNodes(p.spec);
  return {
    peakTflopsPerDevice: e.peak_tflops_per_device,
    mfu,
    mfuFrom: p.spec.estimates?.mfu ? "spec" : "profile",
    stepS: span(stepAt, mfu),
    trainingS: span(trainingAt, mfu),
    maxTime: p.profile.scheduler.max_time,
    jobs: span((m) => Math.ceil(trainingAt(m) / maxTimeS), mfu),
    deviceHours: span((m) => hoursAt(m) * held * l.gcdsPerNode, mfu),
    nodeHours: span((m) => hoursAt(m) * held, mfu),
    billing:
      billing === undefined
        ? null
        : {
            unit: billing.unit,
            perNodeHour: billing.per_node_hour,
            units: span((m) => hoursAt(m) * held * billing.per_node_hour, mfu)
          },
    saveS,
    cadence: {
      intervalS: span(intervalAt, mfu),
      jobMtbfS,
      youngDalyS,
      youngDalySteps: span((m) => Math.max(1, Math.round(youngDalyS / stepAt(m))), mfu),
      overheadConfigured: span(
        (m) => checkpointOverhead({ saveS, mtbfS: jobMtbfS, intervalS: intervalAt(m) }),
        mfu
      ),
      overheadYoungDaly: checkpointOverhead({ saveS, mtbfS: jobMtbfS, intervalS: youngDalyS })
    }
  };
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/** Cost, time and storage of a run before it is submitted (docs/estimates.md). Pure. */
export function estimateRun(p: EstimateBase): Estimates {
  const l = p.layout;
  const parameters = parameterCount(p.arch);
  const fpt = flopsPerToken({
    arch: p.arch,
    seq: l.seqLength,
    recompute: p.spec.model.activation_checkpointing
  });
  const size = checkpointSize({
    params: parameters,
    precision: p.spec.precision,
    zeroStage: p.spec.parallelism.zero_stage,
    layout: l
  });
  const kept = p.checkpoints.keepLastN;
  // keep_last_n complete checkpoints plus the one being written before the oldest is deleted
  const storedBytes = kept === null ? null : (kept + 1) * size.totalBytes;
  const data = dataSize(p.data, p.arch.vocab_size);
  const items: StoredItem[] = [
    { path: p.spec.checkpointing.save, bytes: storedBytes ?? p.checkpoints.expected * size.totalBytes },
    ...p.data.datasets.map((d) => ({ path: d.path, bytes: d.tokens * data.bytesPerToken })),
    ...p.data.entries
      .filter((e) => e.members.length > 1)
      .map((e) => ({ path: e.path, bytes: e.tokens * data.bytesPerToken }))
  ];
  const e = p.profile.estimates;
  const quotas = e === undefined ? [] : quotaUse(e.quotas, items);
  const warnings = quotas
    .filter((q) => q.over)
    .map((q) => `storage under ${q.path} (${gb(q.usedBytes)}) exceeds its quota of ${gb(q.quotaBytes)}`);
  if (kept === null)
    warnings.push(
      `no checkpointing.keep_last_n: all ${p.checkpoints.expected} checkpoints (${gb(p.checkpoints.expected * size.totalBytes)}) stay on disk`
    );
  const flopsPerStep = fpt.model * l.tokensPerStep;
  const timed = e === undefined ? null : timing(p, e, size, flopsPerStep);
  const tight = timed ? wallTimeWarning(p, timed) : undefined;
  if (tight) warnings.push(tight);
  return {
    nodes: l.nodes,
    spareNodes: spareNodes(p.spec),
    devices: l.gcds,
    parameters,
    flopsPerToken: fpt,
    tokensPerStep: l.tokensPerStep,
    flopsPerStep,
    checkpoint: { ...size, kept, storedBytes },
    data,
    quotas,
    timing: timed,
    warnings
  };
}

/**
 * A job's time limit minus the exit margin (the job ends itself that long before its limit) should
 * hold several checkpoint intervals; with room for one at most, every attempt would end at its
 * first checkpoint and spend its budget on start-up and recompute. Checked at the slow end of the
 * step-time band.
 */
export function wallTimeWarning(p: EstimateBase, t: TimingEstimates): string | undefined {
  const limitS = slurmTimeMinutes(p.spec.cluster.time) * 60;
  const marginS = p.spec.resilience.exit_margin_min * 60;
  const intervalS = t.cadence.intervalS.slow + t.saveS;
  const usableS = limitS - marginS;
  if (intervalS <= 0 || usableS >= 2 * intervalS) return undefined;
  const fits = Math.max(0, Math.floor(usableS / intervalS));
  return `cluster.time ${p.spec.cluster.time} minus exit_margin_min ${p.spec.resilience.exit_margin_min} leaves ${Math.round(usableS / 60)} min per job, room for ${fits} checkpoint interval${fits === 1 ? "" : "s"} of ~${Math.round(intervalS / 60)} min (checkpoint_factor ${p.checkpoints.factor} at the slow step estimate): every attempt would end at its first checkpoint; lower checkpoint_factor or raise cluster.time`;
}

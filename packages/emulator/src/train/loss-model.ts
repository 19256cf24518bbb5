/**
 * A seeded loss curve whose only memory is the "weights' health" (ModelHealth), which is saved in
 * checkpoints like real weights. The same seed, step, LR and health give the same loss, so a
 * resumed run continues the curve exactly, and rolling back to a healthy checkpoint with an LR below
 * the instability threshold really stops the spikes.
 */
export interface ModelHealth {
  /** loss added on top of the clean curve by past spikes */
  excess: number;
  /** weights have gone NaN (bf16/fp32 cannot skip the step as fp16 does) */
  nan: boolean;
}

export const HEALTHY: ModelHealth = { excess: 0, nan: false };

/** Deterministic uniform in [0,1) from (seed, step, channel): a splitmix-style integer hash. */
function hashUniform(seed: number, step: number, channel: number): number {
  let h =
    (Math.imul(seed | 0, 0x9e3779b1) ^
      Math.imul(step | 0, 0x85ebca77) ^
      Math.imul(channel + 1, 0xc2b2ae3d)) >>>
    0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 4294967296;
}

function gaussian(seed: number, step: number, channel: number): number {
  const u1 = Math.max(hashUniform(seed, step, channel), 1e-12);
  const u2 = hashUniform(seed, step, channel + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Clean power-law decay from ln(50k) ≈ 10.8 towards 2.0. */
export function cleanLoss(step: number): number {
  return 2.0 + 8.8 * Math.pow(1 + step / 40, -0.55);
}

export interface StepInput {
  seed: number;
  step: number;
  lr: number;
  unstableLr: number;
  /** forced spike (NEOX_EMU_SPIKE_AT) */
  forceSpike: boolean;
  /** forced NaN (NEOX_EMU_NAN_AT) */
  forceNan: boolean;
}

const CH_NOISE = 1;
const CH_SPIKE = 10;
const CH_AMP = 11;
const CH_EVAL = 20;

/** Per-step hazard of a spontaneous spike: zero at or below the threshold, growing with the ratio. */
export function spikeHazard(lr: number, unstableLr: number): number {
  const r = lr / unstableLr;
  return r <= 1 ? 0 : Math.min(0.25, 0.04 * (r - 1));
}

/** Loss of one optimizer step and the health the step leaves behind. */
export function stepLoss(input: StepInput, health: ModelHealth): { loss: number; health: ModelHealth } {
  const { seed, step, lr, unstableLr } = input;
  if (health.nan || input.forceNan) return { loss: NaN, health: { excess: health.excess, nan: true } };
  const r = lr / unstableLr;
  // Below the threshold a spike heals within ~20 steps; above it, it lingers; far above, it feeds on itself.
  let excess = health.excess * (r <= 1 ? 0.85 : r < 3 ? 0.97 : 1.06);
  if (excess < 1e-4) excess = 0;
  if (hashUniform(seed, step, CH_SPIKE) < spikeHazard(lr, unstableLr))
    excess += 1 + 2 * hashUniform(seed, step, CH_AMP);
  if (input.forceSpike) excess += 4;
  const base = cleanLoss(step);
  const loss = base + gaussian(seed, step, CH_NOISE) * (0.02 + 0.01 * (base - 2)) + excess;
  if (!Number.isFinite(loss) || loss > 1e3) return { loss: NaN, health: { excess, nan: true } };
  return { loss, health: { excess, nan: false } };
}

/** Validation loss at an iteration: same curve, its own noise, no state change. */
export function evalLoss(seed: number, step: number, health: ModelHealth): number {
  if (health.nan) return NaN;
  const base = cleanLoss(step);
  return base + 0.02 + gaussian(seed, step, CH_EVAL) * 0.01 + health.excess;
}

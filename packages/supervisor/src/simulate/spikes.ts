import type { FailureModel } from "./sim-config.ts";
import { Rng } from "./rng.ts";

/** A loss spike tied to a step (the batch that causes it), the same for every policy on a seed. */
export interface SimSpike {
  onset: number;
  /** it recovers by itself within the policy's window */
  recovers: boolean;
}

export function spikesFor(seed: number, trainIters: number, m: FailureModel): SimSpike[] {
  const rng = new Rng((Math.imul(seed + 7, 0x85ebca6b) ^ 0x4444) >>> 0);
  const out: SimSpike[] = [];
  if (m.spikes_per_1000_steps <= 0) return out;
  const meanGap = 1000 / m.spikes_per_1000_steps;
  // the first few hundred steps have no earlier checkpoint to roll back to; real runs warm up there
  for (let s = 500 + rng.exp(meanGap); s < trainIters; s += rng.exp(meanGap))
    out.push({ onset: Math.ceil(s), recovers: rng.next() < m.spike_self_recover });
  return out;
}

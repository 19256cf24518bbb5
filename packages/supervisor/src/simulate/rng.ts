/** A small seeded generator (mulberry32): the simulation must replay exactly for a seed, and be fast. */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** exponential with this mean (0 for a zero mean) */
  exp(mean: number): number {
    return mean > 0 ? -Math.log(1 - this.next()) * mean : 0;
  }

  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }
}

/**
 * Independent streams per seed, so that policies simulated on the same seed see the same queue
 * waits, human delays and failures in the same order (common random numbers) even though they
 * consume different numbers of draws.
 */
export interface Streams {
  failure: Rng;
  queue: Rng;
  human: Rng;
}

export function streamsFor(seed: number): Streams {
  const base = Math.imul(seed + 1, 0x9e3779b1) >>> 0;
  return { failure: new Rng(base ^ 0x1111), queue: new Rng(base ^ 0x2222), human: new Rng(base ^ 0x3333) };
}

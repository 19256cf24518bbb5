/**
 * The detector's slowly moving state (baseline, scale, minimum) and the bounded ring of its
 * snapshots a rewind restores from: one every SNAPSHOT_EVERY updates, SNAPSHOT_SLOTS kept.
 */
export interface Level {
  step: number;
  n: number;
  b: number;
  s: number;
  minB: number;
  /** the last step at which the baseline was near minB: where a climb started */
  floorStep: number;
}

const SNAPSHOT_EVERY = 64;
const SNAPSHOT_SLOTS = 32;
export const EMPTY_LEVEL: Level = {
  step: Number.NEGATIVE_INFINITY,
  n: 0,
  b: 0,
  s: 0,
  minB: Number.POSITIVE_INFINITY,
  floorStep: Number.NEGATIVE_INFINITY
};

export class LevelSnapshots {
  private readonly slots: (Level | undefined)[] = new Array<Level | undefined>(SNAPSHOT_SLOTS);
  private count = 0;

  /** called after every update: keeps every SNAPSHOT_EVERY-th level */
  offer(level: Level): void {
    if (level.n % SNAPSHOT_EVERY !== 0) return;
    this.slots[this.count % SNAPSHOT_SLOTS] = level;
    this.count++;
  }

  /** the newest level from before `step`; later ones describe a future that no longer happened */
  restoreBefore(step: number): Level {
    let best: Level | null = null;
    for (const snap of this.slots) {
      if (snap && snap.step < step && (best === null || snap.step > best.step)) best = snap;
    }
    for (let i = 0; i < SNAPSHOT_SLOTS; i++) {
      const snap = this.slots[i];
      if (snap && snap.step >= step) this.slots[i] = undefined;
    }
    return best ? { ...best } : EMPTY_LEVEL;
  }
}

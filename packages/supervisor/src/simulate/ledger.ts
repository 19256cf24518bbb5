import type { GoodputCategory, GoodputSplit } from "../goodput/categories.ts";
import { emptySplit } from "../goodput/categories.ts";

/** What an interruption or a lost stretch of time is blamed on. */
export const LOSS_CAUSES = [
  "start",
  "planned",
  "checkpoint",
  "node",
  "crash",
  "hang",
  "spike",
  "limit"
] as const;
export type LossCause = (typeof LOSS_CAUSES)[number];

export interface CauseLoss {
  /** wall seconds not spent on productive training */
  wallS: number;
  /** seconds the job held its nodes without productive training (× GPUs = GPU-seconds billed for nothing) */
  heldS: number;
}

function emptyCauses(): Record<LossCause, CauseLoss> {
  const out = {} as Record<LossCause, CauseLoss>;
  for (const c of LOSS_CAUSES) out[c] = { wallS: 0, heldS: 0 };
  return out;
}

/** The wall clock of one simulated run, split by category and by cause; it must add up to the clock. */
export class Ledger {
  readonly split: GoodputSplit = emptySplit();
  readonly causes: Record<LossCause, CauseLoss> = emptyCauses();

  /** `held`: the run's job holds its nodes during this time */
  add(category: GoodputCategory, cause: LossCause, seconds: number, held: boolean): void {
    if (seconds <= 0) return;
    this.split[category] += seconds;
    if (category === "productive") return;
    this.causes[cause].wallS += seconds;
    if (held) this.causes[cause].heldS += seconds;
  }

  /** Productive time found to be lost later (a rollback below steps already credited). */
  demote(seconds: number, to: GoodputCategory, cause: LossCause): void {
    if (seconds <= 0) return;
    this.split.productive -= seconds;
    this.split[to] += seconds;
    this.causes[cause].wallS += seconds;
    this.causes[cause].heldS += seconds;
  }
}

import type { AttemptParams, BudgetsUsed, RollbackRecord } from "../model.ts";
import { noBudgetUsed } from "../model.ts";
import type { GoodputCategory } from "../goodput/categories.ts";
import { Ledger } from "./ledger.ts";
import type { LossCause } from "./ledger.ts";
import type { FailureModel, SimRun } from "./sim-config.ts";
import type { SimSpike } from "./spikes.ts";
import type { Streams } from "./rng.ts";

/** A spike trained through unnoticed (baselines): someone sees it at `atWall`. */
export interface PendingNotice {
  onset: number;
  atWall: number;
}

/** One simulated run: clock, checkpoints on its timeline, the run record fields decide() reads. */
export class SimState {
  t = 0;
  ckpts: number[] = [];
  /** steps already credited as productive (the newest checkpoint reached on the timeline) */
  credited = 0;
  readonly ledger = new Ledger();
  readonly spikesDone = new Set<number>();
  pendingNotice: PendingNotice | null = null;
  attempts = 0;
  /** seconds the run's jobs held their allocation (× nodes and spares = node-seconds billed) */
  allocS = 0;
  /** in-job restarts on spare nodes */
  inJobRestarts = 0;
  interruptions = 0;
  humanInterventions = 0;
  done = false;
  params: AttemptParams;
  budgetsUsed: BudgetsUsed = noBudgetUsed();
  rollbacks: RollbackRecord[] = [];
  crashLoop: { step: number; count: number } | null = null;

  constructor(
    readonly run: SimRun,
    readonly model: FailureModel,
    readonly streams: Streams,
    readonly spikes: readonly SimSpike[],
    lr: number
  ) {
    this.params = { load: { kind: "init" }, lr, seed: 1234, excludeNodes: [] };
  }

  newest(atOrBefore = Number.POSITIVE_INFINITY): number | undefined {
    let best: number | undefined;
    for (const c of this.ckpts) if (c <= atOrBefore) best = c;
    return best;
  }

  addCheckpoints(from: number, newest: number): void {
    const f = this.run.checkpoint_factor;
    for (let s = (Math.floor(from / f) + 1) * f; s <= newest; s += f) this.ckpts.push(s);
    if (newest > from && newest % f !== 0) this.ckpts.push(newest);
  }

  private readonly blamed = new Map<string, { count: number; at: number }>();

  /** A node blamed for a failure: kept out for `bad_node_expiry_h`, for good when blamed twice. */
  blame(node: string): void {
    const b = this.blamed.get(node);
    this.blamed.set(node, { count: (b?.count ?? 0) + 1, at: this.t });
  }

  liveBadNodes(): string[] {
    const expiryS = this.run.resilience.bad_node_expiry_h * 3600;
    const out: string[] = [];
    for (const [n, b] of this.blamed) if (b.count > 1 || this.t - b.at < expiryS) out.push(n);
    return out.sort();
  }

  /** Time passing with no job of the run holding nodes (waiting for a poll, a person). */
  wait(category: GoodputCategory, cause: LossCause, seconds: number): void {
    this.ledger.add(category, cause, seconds, false);
    this.t += seconds;
  }

  /** Roll the timeline back to `to`: newer checkpoints are abandoned, credited steps above it lost. */
  rollbackTo(to: number, cause: LossCause): void {
    this.ckpts = this.ckpts.filter((c) => c <= to);
    if (this.credited > to) this.ledger.demote((this.credited - to) * this.run.step_s, "rollback", cause);
    this.credited = Math.min(this.credited, to);
  }
}

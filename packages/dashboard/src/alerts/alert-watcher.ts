import type { RunReadModel, RunStateView, RunSummary } from "../model/read-model.ts";
import type { Alert, AlertKind } from "./alert.ts";
import { RateLimiter } from "./rate-limiter.ts";

interface Seen {
  state: RunStateView;
  rollbacks: number;
  nodeRecoveries: number;
}

export interface AlertWatcherOptions {
  model: RunReadModel;
  send: (alert: Alert) => void;
  /** one alert per run and kind per this interval */
  rateLimitMs?: number;
  now?: () => number;
}

/**
 * Compares each run with how it looked last time and raises alerts for the transitions an
 * on-call engineer must hear about. Runs already in a bad state when the watcher starts are
 * remembered, not re-announced, so a dashboard restart does not repeat old alerts.
 */
export class AlertWatcher {
  private readonly seen = new Map<string, Seen>();
  private readonly limiter: RateLimiter;
  private unsubscribe: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: AlertWatcherOptions) {
    this.limiter = new RateLimiter(opts.rateLimitMs ?? 10 * 60_000, opts.now);
  }

  async start(): Promise<void> {
    for (const r of await this.opts.model.listRuns()) this.seen.set(r.id, this.snapshot(r));
    this.unsubscribe = this.opts.model.subscribe((change) => {
      // evaluations run one after another so two quick changes cannot both see the old state
      this.chain = this.chain.then(() => (change.kind === "run" ? this.checkRun(change.runId) : this.checkAll())).catch(() => undefined);
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** Waits for evaluations already triggered (tests). */
  settled(): Promise<void> {
    return this.chain;
  }

  private snapshot(r: RunSummary): Seen {
    return { state: r.state, rollbacks: r.rollbackCount, nodeRecoveries: r.recoveries["node"] ?? 0 };
  }

  async checkAll(): Promise<void> {
    for (const r of await this.opts.model.listRuns()) await this.evaluate(r);
  }

  async checkRun(runId: string): Promise<void> {
    const r = await this.opts.model.getRun(runId);
    if (r) await this.evaluate(r);
  }

  private async evaluate(r: RunSummary): Promise<void> {
    const prev = this.seen.get(r.id) ?? { state: "planned", rollbacks: 0, nodeRecoveries: 0 };
    const now = this.snapshot(r);
    this.seen.set(r.id, now);
    const base = { step: `${r.step} / ${r.trainIters}`, attempt: String(r.attempt), ...(r.jobId ? { "Slurm job": r.jobId } : {}) };
    if (now.state !== prev.state && (now.state === "needs_attention" || now.state === "failed")) {
      this.fire(r, now.state, r.attention ?? `the run is ${now.state}`, base);
    }
    if (now.rollbacks > prev.rollbacks) {
      const rb = (await this.opts.model.series(r.id)).rollbacks.at(-1);
      const summary = rb
        ? `loss spike at step ${rb.onsetStep}: rolled back to step ${rb.toStep}, LR ${rb.lrFrom.toExponential(2)} → ${rb.lrTo.toExponential(2)}`
        : `rollback number ${now.rollbacks}`;
      this.fire(r, "rollback", summary, { ...base, rollbacks: String(now.rollbacks) });
    }
    if (now.nodeRecoveries >= 2 && now.nodeRecoveries > prev.nodeRecoveries) {
      const nodes = (await this.opts.model.excludedNodes(r.id)).map((n) => `${n.node} (${n.strikes}×)`);
      this.fire(r, "node_failures", `${now.nodeRecoveries} node-failure recoveries so far`, { ...base, "excluded nodes": nodes.join(", ") || "none" });
    }
  }

  private fire(r: RunSummary, kind: AlertKind, summary: string, facts: Record<string, string>): void {
    if (!this.limiter.take(`${r.id}\u0000${kind}`)) return;
    this.opts.send({ kind, runId: r.id, runName: r.name, summary, facts });
  }
}

import type { Redis } from "ioredis";
import type { Keys } from "./keys.ts";
import type { Op } from "./run-store.ts";

/** One logged training step of one attempt, as the dashboard charts it. */
export interface StepPoint {
  step: number;
  attempt: number;
  loss?: number;
  lr?: number;
  /** NeoX `elapsed time per iteration (ms)` */
  stepTimeMs?: number;
  /** when the supervisor read the line (ISO) */
  time?: string;
}

/**
 * Per-run training series (loss, LR, step time per step and attempt), kept in its own stream next
 * to the event stream so charts can show what a rollback discarded. The worker appends the points
 * it parsed in the same commit that moves the attempt's log offset, so a crash neither loses nor
 * repeats points. One stream entry holds a batch of points.
 */
export class SeriesStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys
  ) {}

  key(runId: string): string {
    return `${this.keys.run(runId)}:series`;
  }

  /** An op for RunStore.commit; empty batches produce no op. */
  appendOps(runId: string, points: readonly StepPoint[]): Op[] {
    return points.length ? [{ op: "xadd", key: this.key(runId), value: JSON.stringify(points) }] : [];
  }

  /** All points, in the order they were logged. */
  async read(runId: string): Promise<StepPoint[]> {
    const rows = await this.redis.xrange(this.key(runId), "-", "+");
    const out: StepPoint[] = [];
    for (const [, fields] of rows) out.push(...(JSON.parse(fields[1] ?? "[]") as StepPoint[]));
    return out;
  }

  /** The newest batch only (the overview needs the last step, loss and step time, not the curve). */
  async lastBatch(runId: string): Promise<StepPoint[]> {
    const rows = await this.redis.xrevrange(this.key(runId), "+", "-", "COUNT", 1);
    const fields = rows[0]?.[1];
    return fields ? (JSON.parse(fields[1] ?? "[]") as StepPoint[]) : [];
  }
}

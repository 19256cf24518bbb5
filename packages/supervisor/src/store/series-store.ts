import type { Redis } from "ioredis";
import { z } from "zod";
import type { Keys } from "./keys.ts";
import type { Op } from "./run-store.ts";
import { CorruptTally, decodeRecord } from "./decode.ts";

// JSON.stringify writes NaN and ±Infinity (a diverged loss) as null; read back as "not logged"
const loggedNumber = z
  .number()
  .nullable()
  .transform((v) => v ?? undefined)
  .optional();

/** One logged training step of one attempt, as the dashboard charts it. */
export const StepPointSchema = z.object({
  step: z.number().int().nonnegative(),
  attempt: z.number().int().positive(),
  loss: loggedNumber,
  lr: loggedNumber,
  /** NeoX `elapsed time per iteration (ms)` */
  stepTimeMs: loggedNumber,
  /** NeoX `MFU:` and `HFU:` in percent, logged only when peak_theoretical_tflops is set */
  mfuPct: loggedNumber,
  hfuPct: loggedNumber,
  /** when the supervisor read the line (ISO) */
  time: z.string().optional()
});
export type StepPoint = z.output<typeof StepPointSchema>;

/** One stream entry: a batch of points. */
const StepBatchSchema = z.array(StepPointSchema);

/**
 * Per-run training series (loss, LR, step time per step and attempt), kept in its own stream next
 * to the event stream so charts can show what a rollback discarded. The worker appends the points
 * it parsed in the same commit that moves the attempt's log offset, so a crash neither loses nor
 * repeats points. One stream entry holds a batch of points.
 */
export class SeriesStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
    /** pass the RunStore's tally so one owner sees every corrupt record */
    readonly corrupt: CorruptTally = new CorruptTally()
  ) {}

  key(runId: string): string {
    return `${this.keys.run(runId)}:series`;
  }

  /** An op for RunStore.commit; empty batches produce no op. */
  appendOps(runId: string, points: readonly StepPoint[]): Op[] {
    return points.length ? [{ op: "xadd", key: this.key(runId), value: JSON.stringify(points) }] : [];
  }

  /** An unreadable batch is noted and left out: a gap in a chart, not a lost run. */
  private batch(runId: string, entry: string, raw: string | undefined): StepPoint[] {
    const source = { kind: "series" as const, key: this.key(runId), runId, entry };
    return this.corrupt.skip(decodeRecord(StepBatchSchema, raw ?? "", source)) ?? [];
  }

  /** All points, in the order they were logged. */
  async read(runId: string): Promise<StepPoint[]> {
    const rows = await this.redis.xrange(this.key(runId), "-", "+");
    const out: StepPoint[] = [];
    for (const [id, fields] of rows) out.push(...this.batch(runId, id, fields[1]));
    return out;
  }

  /** The newest readable batch (the overview needs the last step, loss and step time, not the curve). */
  async lastBatch(runId: string): Promise<StepPoint[]> {
    const rows = await this.redis.xrevrange(this.key(runId), "+", "-", "COUNT", 2);
    for (const [id, fields] of rows) {
      const points = this.batch(runId, id, fields[1]);
      if (points.length) return points;
    }
    return [];
  }
}

import type { RecordKind, CorruptRecordError } from "../store/decode.ts";
import type { RunStore } from "../store/run-store.ts";
import type { Lease } from "../store/lease.ts";

/** One corrupt record met during a cycle, as `supervise --once --json` prints it. */
export interface CorruptReport {
  kind: RecordKind;
  key: string;
  runId?: string;
  entry?: string;
  message: string;
}

/**
 * Reports the corrupt records a supervisor's store met: once per record and problem for the life
 * of the process (a record that stays broken would otherwise repeat every cycle), as a log line,
 * a count in Redis for the dashboard's `neoxctl_corrupt_records_total`, and a `record_corrupt`
 * event on the run when this supervisor holds its lease.
 */
export class CorruptReporter {
  private pending: CorruptRecordError[] = [];
  private readonly reported = new Set<string>();

  constructor(
    private readonly store: RunStore,
    private readonly io: { log: (line: string) => void; now: () => number }
  ) {
    store.corrupt.onNote((e) => this.pending.push(e));
  }

  /** Reports what was met since the last call; returns all of it (reported before or not). */
  async flush(leases: ReadonlyMap<string, Lease>): Promise<CorruptReport[]> {
    const met = this.pending;
    this.pending = [];
    const out = new Map<string, CorruptReport>();
    for (const e of met) {
      const { kind, key, runId, entry } = e.source;
      const id = `${key}\n${entry ?? ""}\n${e.message}`;
      out.set(id, {
        kind,
        key,
        ...(runId ? { runId } : {}),
        ...(entry ? { entry } : {}),
        message: e.message
      });
      if (this.reported.has(id)) continue;
      this.reported.add(id);
      this.io.log(`corrupt record skipped: ${e.message}`);
      await this.store.redis.hincrby(this.store.keys.corruptRecords(), kind, 1).catch(() => undefined);
      const lease = runId ? leases.get(runId) : undefined;
      if (!runId || !lease) continue;
      const time = new Date(this.io.now()).toISOString();
      await this.store
        .commit(lease, [
          this.store.event(runId, {
            type: "record_corrupt",
            time,
            cause: `${e.message}; skipped until repaired`,
            evidence: { detail: { kind, key, ...(entry ? { entry } : {}) } }
          })
        ])
        .catch((err: unknown) =>
          this.io.log(`run ${runId}: record_corrupt event not written: ${String(err)}`)
        );
    }
    return [...out.values()];
  }
}

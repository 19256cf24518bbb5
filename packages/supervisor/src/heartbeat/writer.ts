import type { Redis } from "ioredis";
import type { Keys } from "../store/keys.ts";
import type { Heartbeat } from "./record.ts";
import { heartbeatTtlMs } from "./record.ts";

export interface HeartbeatIdentity {
  owner: string;
  pid: number;
  host: string;
  pollIntervalMs: number;
}

/**
 * Writes this process's heartbeat (Keys.heartbeat, with a TTL) every third of the TTL and keeps the
 * owner in the Keys.heartbeats set so readers can find it. The cycle only reports to it.
 */
export class HeartbeatWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastCycleAt: string | null = null;
  private cycles = 0;
  private clusters: Record<string, string[]> = {};
  private readonly startedAt: string;
  readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly id: HeartbeatIdentity,
    private readonly now: () => number = Date.now
  ) {
    this.startedAt = new Date(now()).toISOString();
    this.ttlMs = heartbeatTtlMs(id.pollIntervalMs);
  }

  start(): void {
    if (this.timer) return;
    this.write();
    this.timer = setInterval(() => this.write(), Math.max(50, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Called at the end of every cycle with the runs whose leases are held, by cluster. */
  cycleFinished(clusters: Record<string, string[]>): void {
    this.cycles++;
    this.lastCycleAt = new Date(this.now()).toISOString();
    this.clusters = clusters;
    this.write();
  }

  /** Leases changed outside a cycle (lost on renewal): the next write says so. */
  setClusters(clusters: Record<string, string[]>): void {
    this.clusters = clusters;
  }

  record(): Heartbeat {
    return {
      owner: this.id.owner,
      pid: this.id.pid,
      host: this.id.host,
      startedAt: this.startedAt,
      lastCycleAt: this.lastCycleAt,
      cycles: this.cycles,
      pollIntervalMs: this.id.pollIntervalMs,
      clusters: this.clusters,
      writtenAt: new Date(this.now()).toISOString()
    };
  }

  private write(): void {
    // not awaited and errors ignored: a Redis outage must not stop the supervisor; the record then
    // expires, which readers report as "no live supervisor" — true enough while Redis is away
    this.redis
      .multi()
      .set(this.keys.heartbeat(this.id.owner), JSON.stringify(this.record()), "PX", this.ttlMs)
      .sadd(this.keys.heartbeats(), this.id.owner)
      // the set goes too once nobody writes (a test's prefix, a retired deployment); generous, so a
      // writer with a short TTL cannot let it lapse before one with a long TTL writes again
      .pexpire(this.keys.heartbeats(), Math.max(600_000, 10 * this.ttlMs))
      .exec()
      .catch(() => undefined);
  }

  /** Stops writing; with `remove` (clean shutdown) the record goes at once instead of expiring. */
  async stop(remove: boolean): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (remove)
      await this.redis
        .multi()
        .del(this.keys.heartbeat(this.id.owner))
        .srem(this.keys.heartbeats(), this.id.owner)
        .exec()
        .catch(() => undefined);
  }
}

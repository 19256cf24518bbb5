import type { Redis } from "ioredis";
import type { Keys } from "./keys.ts";

/** A held lease: the value stored under the lease key, carrying an ever-increasing fencing token. */
export interface Lease {
  runId: string;
  owner: string;
  fence: number;
  value: string;
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Per-run leases (SET NX PX). Every write the supervisor makes for a run is checked against the
 * lease value inside Redis (see RunStore.commit), so a supervisor whose lease lapsed — paused,
 * partitioned — cannot overwrite the work of the one that took over.
 */
export class LeaseManager {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    readonly owner: string,
    readonly ttlMs: number
  ) {}

  /** Takes the lease if free, renews it if already ours; undefined when another owner holds it. */
  async acquire(runId: string, held?: Lease): Promise<Lease | undefined> {
    if (held && (await this.renew(held))) return held;
    const fence = await this.redis.incr(this.keys.fence(runId));
    const value = `${this.owner}#${fence}`;
    const ok = await this.redis.set(this.keys.lease(runId), value, "PX", this.ttlMs, "NX");
    return ok === "OK" ? { runId, owner: this.owner, fence, value } : undefined;
  }

  async renew(lease: Lease): Promise<boolean> {
    const r = await this.redis.eval(RENEW, 1, this.keys.lease(lease.runId), lease.value, String(this.ttlMs));
    return r === 1;
  }

  async release(lease: Lease): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.lease(lease.runId), lease.value);
  }

  async holder(runId: string): Promise<string | null> {
    return this.redis.get(this.keys.lease(runId));
  }
}

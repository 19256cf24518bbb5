import type { Redis } from "ioredis";
import { Keys, readSupervisionInput } from "@neoxctl/supervisor";
import type { Heartbeat } from "@neoxctl/supervisor";

/**
 * A heartbeat as a live supervisor that has just finished a cycle would write it, claiming every
 * active run under `prefix` on its cluster: seeded pages then show what they show under supervision,
 * without the "no live supervisor" banner. Its TTL outlasts a test file; the prefix's cleanup removes it.
 */
export async function writeLiveHeartbeat(redis: Redis, prefix: string): Promise<void> {
  const keys = new Keys(prefix);
  const { activeRuns } = await readSupervisionInput(redis, keys, Date.now());
  const clusters: Record<string, string[]> = {};
  for (const r of activeRuns) (clusters[r.cluster] ??= []).push(r.id);
  const now = new Date().toISOString();
  const hb: Heartbeat = {
    owner: `seeded-supervisor:${process.pid}`,
    pid: process.pid,
    host: "localhost",
    startedAt: now,
    lastCycleAt: now,
    cycles: 1,
    pollIntervalMs: 60_000,
    clusters,
    writtenAt: now
  };
  await redis
    .multi()
    .set(keys.heartbeat(hb.owner), JSON.stringify(hb), "PX", 3_600_000)
    .sadd(keys.heartbeats(), hb.owner)
    .exec();
}

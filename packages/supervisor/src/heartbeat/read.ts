import type { Redis } from "ioredis";
import type { Keys } from "../store/keys.ts";
import { HeartbeatSchema, leaseOwner } from "./record.ts";
import type { Heartbeat } from "./record.ts";
import type { SupervisionInput } from "./assess.ts";

/** Live heartbeats; owners whose record expired are dropped from the set on the way. */
export async function readHeartbeats(redis: Redis, keys: Keys): Promise<Heartbeat[]> {
  const owners = await redis.smembers(keys.heartbeats());
  if (owners.length === 0) return [];
  const raw = await redis.mget(owners.map((o) => keys.heartbeat(o)));
  const out: Heartbeat[] = [];
  const gone: string[] = [];
  owners.forEach((owner, i) => {
    const s = raw[i];
    if (s === null || s === undefined) return void gone.push(owner);
    try {
      const hb = HeartbeatSchema.safeParse(JSON.parse(s));
      if (hb.success) out.push(hb.data);
    } catch {
      // a record this version cannot read counts as no heartbeat
    }
  });
  if (gone.length) await redis.srem(keys.heartbeats(), ...gone);
  return out.sort((a, b) => a.owner.localeCompare(b.owner));
}

/**
 * Everything `assessSupervision` needs, read from Redis: heartbeats, the active runs with their
 * cluster (from the run record, read raw: a corrupt record is left to the other reports) and the
 * owner of each run's lease.
 */
export async function readSupervisionInput(redis: Redis, keys: Keys, now: number): Promise<SupervisionInput> {
  const [heartbeats, ids] = await Promise.all([readHeartbeats(redis, keys), redis.smembers(keys.active())]);
  ids.sort();
  const [runs, leases] = await Promise.all([
    ids.length ? redis.mget(ids.map((id) => keys.run(id))) : Promise.resolve([]),
    ids.length ? redis.mget(ids.map((id) => keys.lease(id))) : Promise.resolve([])
  ]);
  const activeRuns = ids.map((id, i) => ({ id, cluster: clusterOf(runs[i] ?? null) }));
  const held = ids.flatMap((id, i) => {
    const v = leases[i];
    return v ? [{ runId: id, owner: leaseOwner(v) }] : [];
  });
  return { heartbeats, activeRuns, leases: held, now };
}

function clusterOf(raw: string | null): string {
  if (raw === null) return "?";
  try {
    const c = (JSON.parse(raw) as { cluster?: unknown }).cluster;
    return typeof c === "string" && c !== "" ? c : "?";
  } catch {
    return "?";
  }
}

import type { Redis } from "ioredis";
import { StateError } from "@neoxctl/core";
import type { Attempt, Run, RunEvent, StoredEvent } from "../model.ts";
import type { Keys } from "./keys.ts";
import type { Lease } from "./lease.ts";

/** One write inside an atomic commit. */
export type Op =
  | { op: "set"; key: string; value: string }
  | { op: "xadd"; key: string; value: string }
  | { op: "sadd" | "srem"; key: string; value: string }
  | { op: "hset"; key: string; field: string; value: string }
  | { op: "lrem"; key: string; value: string };

// Runs all writes or none, and only while the caller still holds the run's lease: the state, the
// attempt records and the events explaining them land together, so a kill -9 between them is
// impossible and no event is lost or written twice.
const COMMIT = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE_LOST') end
local ops = cjson.decode(ARGV[2])
local ids = {}
for _, o in ipairs(ops) do
  if o.op == 'set' then redis.call('SET', o.key, o.value)
  elseif o.op == 'xadd' then table.insert(ids, redis.call('XADD', o.key, '*', 'e', o.value))
  elseif o.op == 'sadd' then redis.call('SADD', o.key, o.value)
  elseif o.op == 'srem' then redis.call('SREM', o.key, o.value)
  elseif o.op == 'hset' then redis.call('HSET', o.key, o.field, o.value)
  elseif o.op == 'lrem' then redis.call('LREM', o.key, 1, o.value)
  end
end
return ids
`;

export interface BadNode {
  node: string;
  blamed: number;
  /** epoch ms after which the node may be used again; null = kept out for good (blamed twice) */
  until: number | null;
  lastCause: string;
}

export class RunStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys
  ) {}

  /** Applies ops atomically; throws StateError LOCK_HELD if `lease` is no longer ours. */
  async commit(lease: Lease | null, ops: readonly Op[]): Promise<string[]> {
    try {
      const ids = await this.redis.eval(
        COMMIT,
        1,
        lease ? this.keys.lease(lease.runId) : "",
        lease ? lease.value : "",
        JSON.stringify(ops)
      );
      return ids as string[];
    } catch (e) {
      if (e instanceof Error && e.message.includes("LEASE_LOST")) {
        throw new StateError(
          "LOCK_HELD",
          `lease on run ${lease?.runId ?? "?"} lost; another supervisor owns it`,
          { runId: lease?.runId }
        );
      }
      throw e;
    }
  }

  putRun(run: Run): Op {
    return { op: "set", key: this.keys.run(run.id), value: JSON.stringify(run) };
  }
  putAttempt(runId: string, a: Attempt): Op {
    return { op: "set", key: this.keys.attempt(runId, a.index), value: JSON.stringify(a) };
  }
  event(runId: string, e: RunEvent): Op {
    return { op: "xadd", key: this.keys.events(runId), value: JSON.stringify(e) };
  }

  async getRun(id: string): Promise<Run | undefined> {
    const s = await this.redis.get(this.keys.run(id));
    return s ? (JSON.parse(s) as Run) : undefined;
  }

  async mustGetRun(id: string): Promise<Run> {
    const run = await this.getRun(id);
    if (!run) throw new StateError("RUN_NOT_FOUND", `no run ${id}`, { runId: id });
    return run;
  }

  async getAttempt(id: string, n: number): Promise<Attempt | undefined> {
    const s = await this.redis.get(this.keys.attempt(id, n));
    return s ? (JSON.parse(s) as Attempt) : undefined;
  }

  async attempts(run: Run): Promise<Attempt[]> {
    const out: Attempt[] = [];
    for (let n = 1; n <= run.attempts; n++) {
      const a = await this.getAttempt(run.id, n);
      if (a) out.push(a);
    }
    return out;
  }

  async runIds(activeOnly: boolean): Promise<string[]> {
    const ids = await this.redis.smembers(activeOnly ? this.keys.active() : this.keys.runs());
    return ids.sort();
  }

  async events(id: string, after = "-"): Promise<StoredEvent[]> {
    const start = after === "-" ? "-" : `(${after}`;
    const rows = await this.redis.xrange(this.keys.events(id), start, "+");
    return rows.map(([sid, fields]) => ({ id: sid, ...(JSON.parse(fields[1] ?? "{}") as RunEvent) }));
  }

  async badNodes(id: string, now = Date.now()): Promise<BadNode[]> {
    const all = await this.redis.hgetall(this.keys.badNodes(id));
    return Object.values(all)
      .map((v) => JSON.parse(v) as BadNode)
      .filter((b) => b.until === null || b.until > now)
      .sort((a, b) => a.node.localeCompare(b.node));
  }

  /** Blames nodes: the first blame expires after `expiryH`; a node blamed twice is kept out. */
  async blameOps(
    id: string,
    nodes: readonly string[],
    cause: string,
    expiryH: number,
    now = Date.now()
  ): Promise<Op[]> {
    const ops: Op[] = [];
    for (const node of nodes) {
      const prev = await this.redis.hget(this.keys.badNodes(id), node);
      const blamed = (prev ? (JSON.parse(prev) as BadNode).blamed : 0) + 1;
      const b: BadNode = {
        node,
        blamed,
        until: blamed >= 2 ? null : now + expiryH * 3_600_000,
        lastCause: cause
      };
      ops.push({ op: "hset", key: this.keys.badNodes(id), field: node, value: JSON.stringify(b) });
    }
    return ops;
  }
}

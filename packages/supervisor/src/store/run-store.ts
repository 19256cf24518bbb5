import type { Redis } from "ioredis";
import { StateError } from "@neoxctl/core";
import type { Attempt, BadNode, Run, RunEvent, StoredEvent } from "../model.ts";
import { AttemptSchema, BadNodeSchema, PlanInputRecordSchema, RunEventSchema, RunSchema } from "../model.ts";
import type { Keys } from "./keys.ts";
import { checkRecord, CorruptRecordError, CorruptTally, decodeRecord } from "./decode.ts";
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

export class RunStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
    /** every corrupt record this store met; shared with the SeriesStore and chain reads of the same owner */
    readonly corrupt: CorruptTally = new CorruptTally()
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

  /** Throws CorruptRecordError (and notes it) when the run record or its plan input is unreadable. */
  async getRun(id: string): Promise<Run | undefined> {
    const key = this.keys.run(id);
    const s = await this.redis.get(key);
    if (s === null) return undefined;
    const run = this.corrupt.must(decodeRecord(RunSchema, s, { kind: "run", key, runId: id }));
    if (run.id !== id)
      return this.corrupt.must({
        ok: false,
        error: new CorruptRecordError(
          { kind: "run", key, runId: id },
          `holds run id ${JSON.stringify(run.id)}`
        )
      });
    this.corrupt.must(
      checkRecord(PlanInputRecordSchema, run.planInput, { kind: "planInput", key, runId: id })
    );
    return run;
  }

  async mustGetRun(id: string): Promise<Run> {
    const run = await this.getRun(id);
    if (!run) throw new StateError("RUN_NOT_FOUND", `no run ${id}`, { runId: id });
    return run;
  }

  /** Throws CorruptRecordError (and notes it) when the attempt record is unreadable. */
  async getAttempt(id: string, n: number): Promise<Attempt | undefined> {
    const key = this.keys.attempt(id, n);
    const s = await this.redis.get(key);
    if (s === null) return undefined;
    const a = this.corrupt.must(decodeRecord(AttemptSchema, s, { kind: "attempt", key, runId: id }));
    if (a.index !== n)
      return this.corrupt.must({
        ok: false,
        error: new CorruptRecordError({ kind: "attempt", key, runId: id }, `holds attempt ${a.index}`)
      });
    return a;
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

  /** The run's events; an unreadable entry is noted and left out, the others still count. */
  async events(id: string, after = "-"): Promise<StoredEvent[]> {
    const start = after === "-" ? "-" : `(${after}`;
    const key = this.keys.events(id);
    const rows = await this.redis.xrange(key, start, "+");
    const out: StoredEvent[] = [];
    for (const [sid, fields] of rows) {
      const e = this.corrupt.skip(
        decodeRecord(RunEventSchema, fields[1] ?? "", { kind: "event", key, runId: id, entry: sid })
      );
      if (e) out.push({ id: sid, ...e });
    }
    return out;
  }

  /** Nodes kept out of the run; an unreadable entry is noted and left out (the node is not excluded). */
  async badNodes(id: string, now = Date.now()): Promise<BadNode[]> {
    const all = await this.redis.hgetall(this.keys.badNodes(id));
    return Object.entries(all)
      .map(([node, v]) => this.badNode(id, node, v))
      .filter((b): b is BadNode => b !== undefined && (b.until === null || b.until > now))
      .sort((a, b) => a.node.localeCompare(b.node));
  }

  private badNode(id: string, node: string, raw: string): BadNode | undefined {
    return this.corrupt.skip(
      decodeRecord(BadNodeSchema, raw, {
        kind: "badNode",
        key: this.keys.badNodes(id),
        runId: id,
        entry: node
      })
    );
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
      // an unreadable earlier blame still counts as one: the node was blamed before
      const blamed = (prev === null ? 0 : (this.badNode(id, node, prev)?.blamed ?? 1)) + 1;
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

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { StateError } from "@neoxctl/core";
import { Keys, LeaseManager, RunStore } from "@neoxctl/supervisor";
import { testRedis } from "./redis-helpers.ts";

let redis: Redis;
let keys: Keys;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const t = await testRedis("store");
  redis = t.redis;
  keys = new Keys(t.prefix);
  cleanup = t.cleanup;
});
afterEach(async () => cleanup());

describe("run lease (real Redis)", () => {
  it("lets only one of two supervisors hold a run, and fences the one that lost it", async () => {
    const a = new LeaseManager(redis, keys, "sup-a", 300);
    const b = new LeaseManager(redis, keys, "sup-b", 300);
    const store = new RunStore(redis, keys);
    const la = await a.acquire("r1");
    expect(la).toBeDefined();
    expect(await b.acquire("r1")).toBeUndefined();
    // a keeps it by renewing
    expect(await a.acquire("r1", la)).toBe(la);
    await store.commit(la!, [{ op: "set", key: keys.run("r1"), value: "from-a" }]);

    // a stops renewing (paused); once the lease lapses b takes over with a higher fence
    await new Promise((r) => setTimeout(r, 400));
    const lb = await b.acquire("r1");
    expect(lb).toBeDefined();
    expect(lb!.fence).toBeGreaterThan(la!.fence);
    await expect(
      store.commit(la!, [{ op: "set", key: keys.run("r1"), value: "stale-a" }])
    ).rejects.toBeInstanceOf(StateError);
    expect(await a.renew(la!)).toBe(false);
    await store.commit(lb!, [{ op: "set", key: keys.run("r1"), value: "from-b" }]);
    expect(await redis.get(keys.run("r1"))).toBe("from-b");
    await b.release(lb!);
    expect(await a.holder("r1")).toBeNull();
  });
});

describe("run store", () => {
  it("commits state and events together and reads the stream back in order", async () => {
    const store = new RunStore(redis, keys);
    const ids = await store.commit(null, [
      { op: "set", key: keys.run("r2"), value: "{}" },
      store.event("r2", { type: "job_started", time: "t", cause: "one", evidence: {} }),
      store.event("r2", { type: "run_completed", time: "t", cause: "two", evidence: {} })
    ]);
    expect(ids).toHaveLength(2);
    const ev = await store.events("r2");
    expect(ev.map((e) => e.type)).toEqual(["job_started", "run_completed"]);
    expect((await store.events("r2", ev[0]!.id)).map((e) => e.type)).toEqual(["run_completed"]);
  });

  it("keeps a node blamed twice out for good and lets a once-blamed node expire", async () => {
    const store = new RunStore(redis, keys);
    const now = 1_000_000;
    await store.commit(null, await store.blameOps("r3", ["nid002", "nid003"], "NODE_FAIL", 1, now));
    await store.commit(null, await store.blameOps("r3", ["nid002"], "RCCL error", 1, now));
    const later = now + 2 * 3_600_000;
    expect((await store.badNodes("r3", now)).map((b) => b.node)).toEqual(["nid002", "nid003"]);
    const after = await store.badNodes("r3", later);
    expect(after.map((b) => [b.node, b.blamed, b.until])).toEqual([["nid002", 2, null]]);
  });
});

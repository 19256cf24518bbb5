import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rigFactory } from "../testing/rig.test-support.ts";
import { assessSupervision } from "./assess.ts";
import { readHeartbeats, readSupervisionInput } from "./read.ts";

const rigs = rigFactory({ beforeAll, afterEach, afterAll });

// the worker over a fake Slurm and real Redis: what its cycles leave for doctor and the dashboard
describe("supervisor heartbeat", () => {
  it("a cycle writes the process's heartbeat listing the leased run under its cluster; release removes it", async () => {
    const rig = await rigs();
    expect(await readHeartbeats(rig.store.redis, rig.store.keys)).toEqual([]);
    await rig.cycle();
    await rig.cycle();
    const [hb, ...more] = await readHeartbeats(rig.store.redis, rig.store.keys);
    expect(more).toEqual([]);
    const run = await rig.run();
    expect(hb).toMatchObject({ owner: "unit", cycles: 2, clusters: { [run.cluster]: [rig.runId] } });
    expect(hb?.lastCycleAt).toBe(new Date(rig.now()).toISOString());
    const ttl = await rig.store.redis.pttl(rig.store.keys.heartbeat("unit"));
    expect(ttl).toBeGreaterThan(0);
    // the owners' set expires too when nobody writes any more
    expect(await rig.store.redis.pttl(rig.store.keys.heartbeats())).toBeGreaterThan(ttl);

    const input = await readSupervisionInput(rig.store.redis, rig.store.keys, rig.now());
    expect(input.leases).toEqual([{ runId: rig.runId, owner: "unit" }]);
    expect(assessSupervision(input).problems).toEqual([]);

    await rig.sup.release();
    expect(await readHeartbeats(rig.store.redis, rig.store.keys)).toEqual([]);
    expect(await rig.store.redis.sismember(rig.store.keys.heartbeats(), "unit")).toBe(0);
  });

  it("a halted supervisor's heartbeat ages while its lease is still held: after the cycles stop it is wedged, once gone its lease is stuck", async () => {
    const rig = await rigs();
    await rig.cycle();
    rig.sup.halt();
    // the clock the heartbeat was written with moves on without any cycle
    rig.advance(60_000);
    const input = await readSupervisionInput(rig.store.redis, rig.store.keys, rig.now());
    const r = assessSupervision(input);
    expect(r.supervisors[0]?.wedged).toBe(true);
    expect(r.clusters[0]?.unsupervised).toBe(true);
    // the process is gone: its record expires (deleted here rather than waited for)
    await rig.store.redis.del(rig.store.keys.heartbeat("unit"));
    const after = assessSupervision(await readSupervisionInput(rig.store.redis, rig.store.keys, rig.now()));
    expect(after.supervisors).toEqual([]);
    expect(after.stuckLeases).toEqual([{ runId: rig.runId, owner: "unit" }]);
    // the expired owner was dropped from the set by the read
    expect(await rig.store.redis.sismember(rig.store.keys.heartbeats(), "unit")).toBe(0);
  });
});

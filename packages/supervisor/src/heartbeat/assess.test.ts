import { describe, expect, it } from "vitest";
import { assessSupervision } from "./assess.ts";
import type { Heartbeat } from "./record.ts";
import { heartbeatTtlMs, leaseOwner } from "./record.ts";

const T = Date.UTC(2026, 0, 1, 3, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

function hb(owner: string, clusters: Record<string, string[]>, lastCycleAgoMs: number | null): Heartbeat {
  return {
    owner,
    pid: 1,
    host: "h",
    startedAt: iso(T - 3_600_000),
    lastCycleAt: lastCycleAgoMs === null ? null : iso(T - lastCycleAgoMs),
    cycles: lastCycleAgoMs === null ? 0 : 10,
    pollIntervalMs: 5000,
    clusters,
    writtenAt: iso(T)
  };
}

describe("assessSupervision", () => {
  it("all well: a live supervisor holds every active run's cluster and every lease", () => {
    const r = assessSupervision({
      heartbeats: [hb("a:1", { lumi: ["r1"], frontier: ["r2"] }, 1000)],
      activeRuns: [
        { id: "r1", cluster: "lumi" },
        { id: "r2", cluster: "frontier" }
      ],
      leases: [
        { runId: "r1", owner: "a:1" },
        { runId: "r2", owner: "a:1" }
      ],
      now: T
    });
    expect(r.problems).toEqual([]);
    expect(r.clusters).toEqual([
      { cluster: "frontier", activeRuns: 1, live: 1, unsupervised: false },
      { cluster: "lumi", activeRuns: 1, live: 1, unsupervised: false }
    ]);
    expect(r.supervisors[0]).toMatchObject({ owner: "a:1", wedged: false, leases: 2, lastCycleAgeS: 1 });
  });

  it("no heartbeat: the cluster with active runs is unsupervised and the dead owner's lease is stuck", () => {
    const r = assessSupervision({
      heartbeats: [],
      activeRuns: [{ id: "r1", cluster: "lumi" }],
      leases: [{ runId: "r1", owner: "gone:7" }],
      now: T
    });
    expect(r.clusters).toEqual([{ cluster: "lumi", activeRuns: 1, live: 0, unsupervised: true }]);
    expect(r.stuckLeases).toEqual([{ runId: "r1", owner: "gone:7" }]);
    expect(r.problems.join("\n")).toMatch(/cluster lumi: 1 active run\(s\) and no live supervisor/);
    expect(r.problems.join("\n")).toMatch(/run r1: lease held by gone:7/);
  });

  it("a supervisor holding leases whose last cycle is older than k × poll interval is wedged and supervises nothing", () => {
    const r = assessSupervision({
      heartbeats: [hb("w:2", { lumi: ["r1"] }, 11 * 5000)],
      activeRuns: [{ id: "r1", cluster: "lumi" }],
      leases: [{ runId: "r1", owner: "w:2" }],
      now: T,
      wedgedFactor: 10
    });
    expect(r.supervisors[0]?.wedged).toBe(true);
    expect(r.clusters[0]?.unsupervised).toBe(true);
    expect(r.stuckLeases).toEqual([]);
    expect(r.problems[0]).toMatch(/supervisor w:2 is wedged: holds 1 lease\(s\)/);
  });

  it("an idle supervisor (no leases) is never wedged, however old its last cycle; no active runs is no problem", () => {
    const r = assessSupervision({ heartbeats: [hb("i:3", {}, null)], activeRuns: [], leases: [], now: T });
    expect(r.supervisors[0]?.wedged).toBe(false);
    expect(r.problems).toEqual([]);
  });

  it("the same age within k × poll interval is not wedged", () => {
    const r = assessSupervision({
      heartbeats: [hb("w:2", { lumi: ["r1"] }, 9 * 5000)],
      activeRuns: [{ id: "r1", cluster: "lumi" }],
      leases: [{ runId: "r1", owner: "w:2" }],
      now: T,
      wedgedFactor: 10
    });
    expect(r.supervisors[0]?.wedged).toBe(false);
    expect(r.problems).toEqual([]);
  });
});

describe("heartbeat record helpers", () => {
  it("reads the owner out of a lease value, keeping any # inside the owner", () => {
    expect(leaseOwner("host:12#345")).toBe("host:12");
    expect(leaseOwner("a#b#9")).toBe("a#b");
    expect(leaseOwner("plain")).toBe("plain");
  });
  it("lets three writes go missing before the record expires", () => {
    expect(heartbeatTtlMs(5000)).toBe(15_000);
    expect(heartbeatTtlMs(100)).toBe(3000);
  });
});

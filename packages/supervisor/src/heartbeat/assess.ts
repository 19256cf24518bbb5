import type { Heartbeat } from "./record.ts";

/** A supervisor holding leases is wedged when its last cycle is older than this many poll intervals. */
export const DEFAULT_WEDGED_FACTOR = 10;

export interface SupervisionInput {
  heartbeats: readonly Heartbeat[];
  activeRuns: readonly { id: string; cluster: string }[];
  /** held leases of active runs, by owner */
  leases: readonly { runId: string; owner: string }[];
  now: number;
  wedgedFactor?: number;
}

export interface SupervisorStatus {
  owner: string;
  host: string;
  pid: number;
  startedAt: string;
  lastCycleAt: string | null;
  /** seconds since the last cycle finished (since start when none has) */
  lastCycleAgeS: number;
  cycles: number;
  clusters: string[];
  leases: number;
  wedged: boolean;
}

export interface ClusterSupervision {
  cluster: string;
  activeRuns: number;
  /** live, not wedged supervisors holding leases of runs on this cluster */
  live: number;
  /** active runs and no live supervisor holding any of them */
  unsupervised: boolean;
}

export interface SupervisionReport {
  supervisors: SupervisorStatus[];
  clusters: ClusterSupervision[];
  /** leases whose owner has no live heartbeat: the run waits for the lease to expire */
  stuckLeases: { runId: string; owner: string }[];
  /** one plain sentence per problem; empty when all is well */
  problems: string[];
}

function status(hb: Heartbeat, now: number, factor: number): SupervisorStatus {
  const last = Date.parse(hb.lastCycleAt ?? hb.startedAt);
  const ageS = Math.max(0, (now - last) / 1000);
  const leases = Object.values(hb.clusters).reduce((n, ids) => n + ids.length, 0);
  return {
    owner: hb.owner,
    host: hb.host,
    pid: hb.pid,
    startedAt: hb.startedAt,
    lastCycleAt: hb.lastCycleAt,
    lastCycleAgeS: ageS,
    cycles: hb.cycles,
    clusters: Object.keys(hb.clusters).sort(),
    leases,
    wedged: leases > 0 && ageS * 1000 > factor * hb.pollIntervalMs
  };
}

/** Pure: who supervises what, and what is wrong with it. */
export function assessSupervision(input: SupervisionInput): SupervisionReport {
  const factor = input.wedgedFactor ?? DEFAULT_WEDGED_FACTOR;
  const supervisors = input.heartbeats.map((hb) => status(hb, input.now, factor));
  const alive = new Set(supervisors.map((s) => s.owner));
  const problems: string[] = [];
  for (const s of supervisors)
    if (s.wedged)
      problems.push(
        `supervisor ${s.owner} is wedged: holds ${s.leases} lease(s) but its last cycle finished ${Math.round(s.lastCycleAgeS)} s ago`
      );
  const byCluster = new Map<string, number>();
  for (const r of input.activeRuns) byCluster.set(r.cluster, (byCluster.get(r.cluster) ?? 0) + 1);
  const clusters = [...byCluster.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cluster, activeRuns]) => {
      const live = supervisors.filter((s) => !s.wedged && s.clusters.includes(cluster)).length;
      return { cluster, activeRuns, live, unsupervised: live === 0 };
    });
  for (const c of clusters)
    if (c.unsupervised)
      problems.push(`cluster ${c.cluster}: ${c.activeRuns} active run(s) and no live supervisor holds them`);
  const stuckLeases = input.leases.filter((l) => !alive.has(l.owner));
  for (const l of stuckLeases)
    problems.push(
      `run ${l.runId}: lease held by ${l.owner}, which has no live heartbeat (stuck until it expires)`
    );
  return { supervisors, clusters, stuckLeases, problems };
}

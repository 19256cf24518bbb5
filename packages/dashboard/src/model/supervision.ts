/**
 * Who watches the supervisors, in the dashboard's terms (the adapter maps the supervisor's
 * heartbeat report onto it): live and wedged supervisor processes, clusters with active runs that
 * no live supervisor holds, leases held by processes that stopped writing heartbeats.
 */
export interface SupervisionView {
  supervisors: {
    owner: string;
    host: string;
    lastCycleAt: string | null;
    lastCycleAgeS: number;
    clusters: string[];
    leases: number;
    wedged: boolean;
  }[];
  clusters: { cluster: string; activeRuns: number; live: number; unsupervised: boolean }[];
  stuckLeases: { runId: string; owner: string }[];
  /** one plain sentence per problem; empty when all is well */
  problems: string[];
}

/** Failed Slurm status polls of one cluster, a running count kept by the supervisors. */
export interface SlurmPollFailureCount {
  cluster: string;
  count: number;
}

import type { Run } from "../model.ts";
import type { JobView } from "../ports.ts";
import type { Op, RunStore } from "../store/run-store.ts";
import type { Lease } from "../store/lease.ts";
import type { ClusterHandle } from "./cluster.ts";

/**
 * One run's share of one supervisor cycle: everything the pipeline's steps (controls, submit, watch,
 * act, chain) read about the world, taken once per cycle. `run` is the one value the steps change;
 * a change lasts only once committed.
 */
export interface RunCycle {
  run: Run;
  lease: Lease;
  cluster: ClusterHandle;
  /** this cycle's one status poll of the run's cluster; a job Slurm no longer knows is absent */
  jobs: ReadonlyMap<string, JobView>;
  /** the cluster's DOWN/DRAINED nodes now */
  down: readonly string[];
  /** the cycle's clock reading: every timestamp the cycle writes */
  now: number;
}

/**
 * What a step needs to record a decision: the store (to read records and build ops) and one commit
 * under the cycle's lease that then reports each committed event (log line, queue follow-up, alert).
 */
export interface Committer {
  readonly store: RunStore;
  commit(c: RunCycle, ops: Op[]): Promise<void>;
}

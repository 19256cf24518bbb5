import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { Keys, LeaseManager, RunStore, SlurmAdapter, Supervisor } from "@neoxctl/supervisor";
import type { Redis } from "ioredis";
import type { Attempt, ClusterHandle } from "@neoxctl/supervisor";

export function localCluster(): ClusterHandle {
  const exec = new LocalExecutor();
  return { exec, slurm: new SlurmAdapter(new SlurmClient(exec)) };
}

export function makeSupervisor(
  redis: Redis,
  prefix: string,
  owner: string,
  log: string[] = [],
  leaseTtlMs = 5000,
  cluster: ClusterHandle = localCluster()
): { sup: Supervisor; store: RunStore } {
  const keys = new Keys(prefix);
  const store = new RunStore(redis, keys);
  const sup = new Supervisor(store, new LeaseManager(redis, keys, owner, leaseTtlMs), () => cluster, {
    log: (l) => log.push(l)
  });
  return { sup, store };
}

/** Cycles the supervisor until `done` holds or `maxCycles` pass (a bound on work, not on time). */
export async function cycleUntil(
  sup: Supervisor,
  done: () => Promise<boolean>,
  maxCycles: number,
  pauseMs = 250
): Promise<number> {
  for (let i = 0; i < maxCycles; i++) {
    await sup.cycle();
    if (await done()) return i + 1;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  return maxCycles;
}

/** The run's attempt records 1..`count`, in order; throws when one is missing. */
export async function attemptRecords(store: RunStore, runId: string, count: number): Promise<Attempt[]> {
  const out: Attempt[] = [];
  for (let i = 1; i <= count; i++) {
    const a = await store.getAttempt(runId, i);
    if (!a) throw new Error(`run ${runId} has no record of attempt ${i}`);
    out.push(a);
  }
  return out;
}

/**
 * One line per Slurm job carrying the run's tag (other runs' jobs on the shared cluster never count),
 * next to the same lines made from the attempt records: equal lists mean exactly one job per
 * attempt, the one its record names; a duplicate submission or a job no record names shows as a
 * difference.
 */
export async function jobsVersusRecords(
  runId: string,
  attempts: readonly Attempt[]
): Promise<{ slurm: string[]; records: string[] }> {
  const jobs = await new SlurmClient(new LocalExecutor()).findSubmissions(runId);
  return {
    slurm: jobs.map((j) => `attempt ${j.tag?.attempt ?? "untagged"}: job ${j.jobId}`),
    records: attempts.map((a) => `attempt ${a.index}: job ${a.jobId ?? "none"}`)
  };
}

import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { Keys, LeaseManager, RunStore, SlurmAdapter, Supervisor } from "@neoxctl/supervisor";
import type { Redis } from "ioredis";
import type { ClusterHandle } from "@neoxctl/supervisor";

export function localCluster(): ClusterHandle {
  const exec = new LocalExecutor();
  return { exec, slurm: new SlurmAdapter(new SlurmClient(exec)) };
}

export function makeSupervisor(
  redis: Redis,
  prefix: string,
  owner: string,
  log: string[] = [],
  leaseTtlMs = 5000
): { sup: Supervisor; store: RunStore } {
  const keys = new Keys(prefix);
  const store = new RunStore(redis, keys);
  const cluster = localCluster();
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

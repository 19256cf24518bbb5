import { StateError } from "@neoxctl/core";
import type { SlurmPort } from "../ports.ts";

/**
 * The cluster's SlurmPort for one leased run's turn: each call that changes Slurm (sbatch, scancel,
 * release) first renews the run's lease and is refused (StateError LOCK_HELD) when the lease is gone.
 *
 * Redis fences the supervisor's commits, but nothing fences Slurm. A supervisor stalled past its
 * lease between reading the queue and its sbatch (a starved login node, a paused VM) would otherwise
 * submit after another supervisor had taken the run over and found no job, and one attempt would run
 * twice into the same checkpoint directory. Renewing right before the call also leaves that call a
 * whole TTL in which no one else can take the run, so the next holder's look for the job finds it.
 * Reads go straight through.
 */
export function fencedSlurm(slurm: SlurmPort, runId: string, renew: () => Promise<boolean>): SlurmPort {
  const held = async (): Promise<void> => {
    if (!(await renew()))
      throw new StateError("LOCK_HELD", `lease on run ${runId} lost before a Slurm change; not sent`, {
        runId
      });
  };
  return {
    submitStep: async (req) => {
      await held();
      return slurm.submitStep(req);
    },
    submit: async (req) => {
      await held();
      return slurm.submit(req);
    },
    cancel: async (jobId) => {
      await held();
      return slurm.cancel(jobId);
    },
    release: async (jobId) => {
      await held();
      return slurm.release(jobId);
    },
    stepTasks: (jobIds) => slurm.stepTasks(jobIds),
    poll: (jobIds) => slurm.poll(jobIds),
    findSubmissions: (id) => slurm.findSubmissions(id),
    downNodes: (nodes) => slurm.downNodes(nodes)
  };
}

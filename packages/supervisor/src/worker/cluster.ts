import type { Executor } from "@neoxctl/exec";
import type { SlurmPort } from "../ports.ts";

/** How the supervisor reaches one cluster: commands/files and its Slurm controller. */
export interface ClusterHandle {
  exec: Executor;
  slurm: SlurmPort;
}

export type ClusterResolver = (cluster: string, access: unknown) => ClusterHandle | Promise<ClusterHandle>;

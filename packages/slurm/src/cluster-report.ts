import type { AccountingMode, SlurmClient } from "./client.ts";
import type { NodeAvailability, PartitionInfo } from "./nodes.ts";

/** What `neoxctl cluster check` reports about a cluster it reached. */
export interface ClusterReport {
  target: string;
  slurmVersion: string;
  accounting: AccountingMode;
  partitions: PartitionInfo[];
  nodes: { total: number; byAvailability: Partial<Record<NodeAvailability, string[]>> };
  /** down or drained nodes with Slurm's reason */
  unavailableNodes: { name: string; state: string; reason: string | null }[];
}

/** Gathers the report with five read-only Slurm commands. */
export async function clusterReport(client: SlurmClient): Promise<ClusterReport> {
  const slurmVersion = await client.version();
  const accounting = await client.accounting();
  const partitions = await client.partitions();
  const nodes = await client.nodes();
  const byAvailability: Partial<Record<NodeAvailability, string[]>> = {};
  for (const n of nodes) (byAvailability[n.availability] ??= []).push(n.name);
  return {
    target: client.exec.target,
    slurmVersion,
    accounting,
    partitions,
    nodes: { total: nodes.length, byAvailability },
    unavailableNodes: nodes
      .filter((n) => n.availability === "down" || n.availability === "drain")
      .map((n) => ({ name: n.name, state: n.rawState, reason: n.reason }))
  };
}

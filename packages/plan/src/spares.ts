import type { ClusterProfile, RunSpec, SpecIssue } from "@neoxctl/core";

/** Spare nodes each job holds beside the ones that train (`resilience.spare_nodes`). */
export function spareNodes(spec: RunSpec): number {
  return spec.resilience.spare_nodes;
}

/** Nodes each job asks Slurm for: the training nodes plus the spares. */
export function allocatedNodes(spec: RunSpec, trainingNodes: number): number {
  return trainingNodes + spareNodes(spec);
}

/**
 * What spares need: the batch script has to pick the nodes ranks start on, which only the per-rank
 * launch does (deepy.py's Slurm runner builds its own srun over the whole allocation), and the
 * allocation with its spares must fit the partition.
 */
export function spareIssues(spec: RunSpec, profile: ClusterProfile, trainingNodes: number): SpecIssue[] {
  const spares = spareNodes(spec);
  if (spares === 0) return [];
  const issues: SpecIssue[] = [];
  const mode = profile.launch.mode;
  switch (mode) {
    case "per_rank":
      break;
    case "deepy_host":
      issues.push({
        path: "resilience.spare_nodes",
        received: `${spares} with launch.mode deepy_host`,
        rule: "spare nodes need launch.mode per_rank: deepy.py starts ranks on every node of the allocation, spares included"
      });
  }
  if (Number.isInteger(trainingNodes) && trainingNodes + spares > profile.scheduler.max_nodes)
    issues.push({
      path: "resilience.spare_nodes",
      received: `${trainingNodes} nodes + ${spares} spare`,
      rule: `exceeds ${profile.name}'s limit of ${profile.scheduler.max_nodes} nodes`
    });
  return issues;
}

import { slurmTimeMinutes } from "@neoxctl/core";
import type { ClusterProfile, SpecIssue } from "@neoxctl/core";

/**
 * Partitions whose wall-time limit shrinks with the job's size (OLCF Frontier's `batch` bins): the
 * first `time_limits` entry covering the node count applies. Refused at plan time, naming the limit,
 * because Slurm would otherwise leave the job pending forever or reject it at submission.
 */
export function timeLimitIssues(profile: ClusterProfile, nodes: number, time: string): SpecIssue[] {
  const limits = [...profile.scheduler.time_limits].sort((a, b) => a.max_nodes - b.max_nodes);
  const limit = limits.find((l) => nodes <= l.max_nodes);
  if (limit === undefined || slurmTimeMinutes(time) <= slurmTimeMinutes(limit.max_time)) return [];
  return [
    {
      path: "cluster.time",
      received: time,
      rule: `exceeds ${profile.name}'s limit for ${nodes} nodes in partition ${profile.scheduler.partition}: ${limit.max_time} (jobs of up to ${limit.max_nodes} nodes)${profile.scheduler.longer_jobs !== undefined ? `; for longer jobs: ${profile.scheduler.longer_jobs}` : ""}`
    }
  ];
}

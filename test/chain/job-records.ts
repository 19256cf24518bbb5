import type { JobStatus } from "@neoxctl/slurm";

/** One job as sacct and as slurmctld (`scontrol show job`, jobs ended within MinJobAge) describe it. */
export interface JobSources {
  jobId: string;
  sacct: JobStatus | null;
  controller: JobStatus | null;
}

/**
 * Did the job get an allocation, per the controller? A job cancelled while pending shows
 * StartTime = its cancel time in scontrol, but never a node list.
 */
function ranPerController(c: JobStatus | null): c is JobStatus {
  return c !== null && c.startTime !== null && c.nodes.length > 0;
}

/**
 * sacct misses a job's start when the job started while slurmctld ran without accounting storage
 * (the no-accounting test switches the shared cluster): the job stays "PENDING (Dependency), never
 * started" in sacct although it ran. A job counts as started when either source saw it start, so a
 * lost record can neither hide a job that ran nor invent one.
 */
export function mergeJobRecord(src: JobSources): { job: JobStatus; gap: boolean } | null {
  const c = src.controller;
  const ctl = c ? { ...c, startTime: ranPerController(c) ? c.startTime : null } : null;
  const s = src.sacct;
  if (!s) return ctl ? { job: ctl, gap: false } : null;
  if (s.startTime !== null || !ctl?.startTime) return { job: s, gap: false };
  return { job: { ...s, state: ctl.state, rawState: ctl.rawState, startTime: ctl.startTime, endTime: ctl.endTime ?? s.endTime, nodes: ctl.nodes }, gap: true };
}

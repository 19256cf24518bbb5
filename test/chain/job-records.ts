import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { JobStatus } from "@neoxctl/slurm";

/** One run of a job id on Slurm (a requeue starts another with the same id), from `sacct -D`. */
export interface JobInstance {
  state: string;
  submitTime: string | null;
  startTime: string | null;
  endTime: string | null;
  /** the instance got an allocation (sacct says "None assigned" otherwise) */
  allocated: boolean;
}

/** One job as sacct (last instance, and every instance) and as slurmctld (`scontrol show job`, within MinJobAge) describe it. */
export interface JobSources {
  jobId: string;
  sacct: JobStatus | null;
  instances: JobInstance[];
  controller: JobStatus | null;
}

const readDate = (v: string | undefined): string | null =>
  v && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v) ? new Date(v).toISOString() : null;

/** `sacct -D -X`: every instance of each job, oldest first; empty when accounting is off. */
export async function jobInstances(jobIds: readonly string[]): Promise<Map<string, JobInstance[]>> {
  const out = new Map<string, JobInstance[]>();
  if (!jobIds.length) return out;
  const argv = [
    "-D",
    "-X",
    "-P",
    "--noheader",
    "-o",
    "JobID,State,Submit,Start,End,NodeList",
    "-j",
    jobIds.join(",")
  ];
  const { stdout } = await promisify(execFile)("sacct", argv).catch(() => ({ stdout: "" }));
  for (const line of stdout.split("\n")) {
    const [id, state, submit, start, end, nodes] = line.split("|");
    if (!id || state === undefined) continue;
    const allocated = !!nodes && nodes !== "None assigned";
    const list = out.get(id) ?? [];
    list.push({
      state: state.split(" ")[0] ?? state,
      submitTime: readDate(submit),
      startTime: readDate(start),
      endTime: readDate(end),
      allocated
    });
    out.set(id, list);
  }
  return out;
}

/**
 * Did the job get an allocation, per the controller? A job cancelled while pending shows
 * StartTime = its cancel time in scontrol, but never a node list.
 */
function ranPerController(c: JobStatus | null): c is JobStatus {
  return c !== null && c.startTime !== null && c.nodes.length > 0;
}

/**
 * One record per job for the test's checks, from all sources:
 * - a requeued job (a node set DOWN under it) is one job: submitted when first submitted, started
 *   when first allocated, ended when its last instance ended (sacct's last-instance record has the
 *   requeue as SubmitTime and no start);
 * - sacct misses a start that happened while slurmctld ran without accounting storage (the
 *   no-accounting test switches the shared cluster): then the controller's record says it ran.
 * A job counts as started when any source saw it allocated, so a lost record can neither hide a
 * job that ran nor invent one.
 */
export function mergeJobRecord(src: JobSources): { job: JobStatus; gap: boolean } | null {
  const base = src.sacct ?? src.controller;
  if (!base) return null;
  const ran = src.instances.filter((i) => i.allocated && i.startTime !== null);
  const acctStart = src.instances.length
    ? (ran[0]?.startTime ?? null)
    : base === src.sacct && base.nodes.length
      ? base.startTime
      : null;
  const ctlStart = ranPerController(src.controller) ? src.controller.startTime : null;
  const gap = acctStart === null && ctlStart !== null;
  const job: JobStatus = {
    ...base,
    submitTime: src.instances[0]?.submitTime ?? base.submitTime,
    startTime: acctStart ?? ctlStart,
    endTime: src.instances.at(-1)?.endTime ?? base.endTime
  };
  if (gap && src.controller)
    return {
      job: {
        ...job,
        state: src.controller.state,
        rawState: src.controller.rawState,
        endTime: src.controller.endTime ?? job.endTime,
        nodes: src.controller.nodes
      },
      gap
    };
  return { job, gap };
}

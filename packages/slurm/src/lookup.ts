import type { AccountingMode, SlurmClient } from "./client.ts";
import type { JobStatus } from "./job-status.ts";

/** What one batched look-up found. */
export interface JobLookup {
  statuses: Map<string, JobStatus>;
  /** asked-for ids no source knows (purged, or never Slurm's) */
  missing: string[];
  accounting: AccountingMode | "unknown";
  /** Slurm commands run, in order */
  commands: string[];
}

/**
 * Many jobs at a fixed cost: one `squeue --json`, then one `sacct` for the ids that left the
 * controller's table, or — on a cluster without accounting (known from `accounting`, or learnt
 * from sacct's answer) — one `scontrol -o show job`. The status poller and `status --jobs` share it.
 */
export async function lookupJobs(
  client: SlurmClient,
  jobIds: readonly string[],
  accounting: AccountingMode | "unknown" = "unknown"
): Promise<JobLookup> {
  const wanted = new Set(jobIds);
  const commands: string[] = ["squeue --json"];
  const statuses = new Map<string, JobStatus>();
  for (const j of await client.queue()) if (wanted.has(j.jobId)) statuses.set(j.jobId, j);

  let mode = accounting;
  let missing = jobIds.filter((id) => !statuses.has(id));
  if (missing.length > 0 && mode !== "off") {
    commands.push("sacct");
    const records = await client.accountingRecords(missing);
    if (records === null) mode = "off";
    else {
      mode = "on";
      for (const j of records) if (wanted.has(j.jobId)) statuses.set(j.jobId, j);
    }
  }
  missing = jobIds.filter((id) => !statuses.has(id));
  if (missing.length > 0 && mode === "off") {
    commands.push("scontrol show job");
    for (const j of await client.controllerJobs()) if (wanted.has(j.jobId)) statuses.set(j.jobId, j);
    missing = jobIds.filter((id) => !statuses.has(id));
  }
  return { statuses, missing, accounting: mode, commands };
}

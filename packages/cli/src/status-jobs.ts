import { toNeoxctlError } from "@neoxctl/core";
import { createExecutor } from "@neoxctl/exec";
import type { Executor } from "@neoxctl/exec";
import { lookupJobs, SlurmClient } from "@neoxctl/slurm";
import type { JobLookup, JobStatus } from "@neoxctl/slurm";
import { execTargetOf } from "@neoxctl/supervisor";
import { compareJob } from "./job-agreement.ts";
import type { Agreement } from "./job-agreement.ts";
import type { JobRow } from "./status-attempts.ts";

/** A status command waits this long for one Slurm command, not the supervisor's full minute. */
const SLURM_TIMEOUT_MS = 20_000;

/** What Slurm said when asked, or why it could not be asked. */
export type SlurmAnswer =
  | { state: "checked"; via: string; lookup: JobLookup; at: string }
  | { state: "unreachable"; via: string; error: string; at: string }
  | { state: "not_asked" };

/** Slurm's view of one job, as `status --jobs` shows it. */
export interface LiveJob {
  state: JobStatus["state"];
  rawState: string;
  reason: string | null;
  nodes: string[];
  exitCode: number | null;
  /** which command knew it: squeue (still in the controller's table), sacct or scontrol */
  source: JobStatus["source"];
}

export interface LiveJobRow extends JobRow {
  /** Slurm's view; null when Slurm does not know the job or could not be asked */
  slurm: LiveJob | null;
  /** `not_checked` when Slurm could not be asked: the row is the record's word only */
  agreement: Agreement | "not_checked";
  note: string;
}

export interface JobsReport {
  runId: string;
  cluster: string;
  /** `slurm`: states are Slurm's, compared with the records; `records`: the records only */
  source: "slurm" | "records";
  slurm:
    | { state: "checked"; via: string; at: string; commands: string[]; accounting: string }
    | { state: "unreachable"; via: string; at: string; error: string }
    | { state: "not_asked" };
  jobs: LiveJobRow[];
  disagreements: number;
}

function describeVia(access: unknown): string {
  try {
    const t = execTargetOf(access);
    return t.kind === "ssh"
      ? `ssh ${t.user ? `${t.user}@` : ""}${t.host}${t.port ? `:${t.port}` : ""}`
      : "local";
  } catch {
    return "unknown access";
  }
}

/**
 * Asks Slurm about the jobs in one batch (one squeue, then one sacct — or scontrol without
 * accounting — for those that left the queue), through the run's own executor: locally or over
 * SSH as its profile says. Any failure (no route, SSH refused, controller down) is an answer too.
 */
export async function askSlurm(access: unknown, jobIds: readonly string[]): Promise<SlurmAnswer> {
  if (jobIds.length === 0) return { state: "not_asked" };
  const via = describeVia(access);
  const at = (): string => new Date().toISOString();
  let exec: Executor | undefined;
  try {
    exec = await createExecutor(execTargetOf(access));
    const lookup = await lookupJobs(new SlurmClient(exec, { commandTimeoutMs: SLURM_TIMEOUT_MS }), jobIds);
    return { state: "checked", via, lookup, at: at() };
  } catch (e) {
    const err = toNeoxctlError(e);
    return { state: "unreachable", via, error: `${err.code}: ${err.message}`, at: at() };
  } finally {
    await exec?.close().catch(() => undefined);
  }
}

function liveOf(s: JobStatus): LiveJob {
  return {
    state: s.state,
    rawState: s.rawState,
    reason: s.reason,
    nodes: s.nodes,
    exitCode: s.exitCode,
    source: s.source
  };
}

/** The records' jobs beside Slurm's answer, each compared. Pure. */
export function jobsReport(
  run: { id: string; cluster: string },
  rows: readonly JobRow[],
  answer: SlurmAnswer
): JobsReport {
  const jobs: LiveJobRow[] = rows.map((r) => {
    switch (answer.state) {
      case "checked": {
        const s = answer.lookup.statuses.get(r.jobId);
        const v = compareJob(r.recorded, s);
        return { ...r, slurm: s ? liveOf(s) : null, agreement: v.agreement, note: v.note };
      }
      case "unreachable":
      case "not_asked":
        return { ...r, slurm: null, agreement: "not_checked", note: "" };
    }
  });
  const slurm: JobsReport["slurm"] =
    answer.state === "checked"
      ? {
          state: "checked",
          via: answer.via,
          at: answer.at,
          commands: answer.lookup.commands,
          accounting: answer.lookup.accounting
        }
      : answer;
  return {
    runId: run.id,
    cluster: run.cluster,
    source: answer.state === "checked" ? "slurm" : "records",
    slurm,
    jobs,
    disagreements: jobs.filter((j) => j.agreement === "disagree").length
  };
}

function table(rows: string[][]): string[] {
  const width = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(width[i]!))
      .join("  ")
      .trimEnd()
  );
}

/** The report as text: a head line saying where the states come from, a table, then the notes. */
export function formatJobsReport(r: JobsReport): string[] {
  if (r.jobs.length === 0) return ["no Slurm jobs yet"];
  const head: string[] = [];
  switch (r.slurm.state) {
    case "checked":
      head.push(
        `Slurm jobs of run ${r.runId} on ${r.cluster}, live from Slurm (${r.slurm.commands.join(" + ")} via ${r.slurm.via}, at ${r.slurm.at}) beside the supervisor's records:`
      );
      break;
    case "unreachable":
      head.push(
        `SLURM UNREACHABLE via ${r.slurm.via}: ${r.slurm.error}`,
        `showing the supervisor's RECORDS ONLY (not checked against Slurm; stale if the supervisor is down):`
      );
      break;
    case "not_asked":
      head.push(`the supervisor's records (Slurm not asked):`);
      break;
  }
  const live = r.source === "slurm";
  const rows = [
    live
      ? ["job", "attempt", "slurm", "record", "check"]
      : ["job", "attempt", "record (unchecked)", "submitted"],
    ...r.jobs.map((j) =>
      live
        ? [
            j.jobId,
            String(j.attempt),
            j.slurm ? j.slurm.rawState : "(unknown to Slurm)",
            j.state,
            j.agreement === "disagree" ? "DISAGREE" : j.agreement === "agree" ? "ok" : "?"
          ]
        : [j.jobId, String(j.attempt), j.state, j.submittedAt || "-"]
    )
  ];
  const notes = r.jobs
    .filter((j) => j.note !== "")
    .map((j) => `  job ${j.jobId}: ${j.agreement === "disagree" ? "DISAGREE: " : ""}${j.note}`);
  const tail = live
    ? [
        r.disagreements === 0
          ? "Slurm and the records agree"
          : `${r.disagreements} job(s) where Slurm and the records disagree: Slurm's state is the current one`
      ]
    : [];
  return [...head, ...table(rows).map((l) => `  ${l}`), ...notes, ...tail];
}

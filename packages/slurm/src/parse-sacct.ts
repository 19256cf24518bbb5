import { expandHostlist } from "./hostlist.ts";
import { normalizeJobState } from "./job-state.ts";
import { parseSubmissionTag, type JobStatus, type PriorAttempt } from "./job-status.ts";
import { readExitPair, readSlurmDate, readTimeLimit } from "./slurm-values.ts";

/**
 * sacct is read as `-P` text, not `--json`: Slurm 22.05's `sacct --json` reports
 * exit_code SUCCESS/0 for a job whose script exited 3 (seen on the test cluster; fixture
 * sacct.json), while the text columns are right in every version. Comment is last because it is
 * free text and may itself contain the `|` separator.
 */
export const SACCT_FIELDS = [
  "JobIDRaw",
  "JobName",
  "State",
  "ExitCode",
  "DerivedExitCode",
  "NodeList",
  "Submit",
  "Start",
  "End",
  "TimelimitRaw",
  "Reason",
  "Comment"
] as const;

/**
 * SACCT_FIELDS with `JobID` (`<array>_<task>` for an array task) before the free-text Comment:
 * what findSubmissions reads, so an array's tasks are told apart from plain jobs.
 */
export const SACCT_ARRAY_FIELDS = [...SACCT_FIELDS.slice(0, -1), "JobID", "Comment"] as const;

/** argv for one sacct call covering several jobs, with every attempt (-D) of requeued ones */
export function sacctArgv(jobIds: readonly string[]): string[] {
  return ["sacct", "-P", "-D", "--noheader", "-o", SACCT_FIELDS.join(","), "-j", jobIds.join(",")];
}

export interface SacctJob extends JobStatus {
  priorAttempts: PriorAttempt[];
}

interface Row {
  id: string;
  step: string | null;
  f: Record<(typeof SACCT_ARRAY_FIELDS)[number], string>;
}

function parseRow(line: string, fields: readonly string[]): Row | undefined {
  const cells = line.split("|");
  if (cells.length < fields.length) return undefined;
  const last = fields.length - 1;
  const fixed = cells.slice(0, last);
  const comment = cells.slice(last).join("|");
  const f = {
    JobID: "",
    ...Object.fromEntries(fields.map((k, i) => [k, i === last ? comment : (fixed[i] ?? "")]))
  } as Row["f"];
  const [id, step] = f.JobIDRaw.split(".", 2);
  if (!id) return undefined;
  return { id, step: step ?? null, f };
}

/**
 * Groups rows per job id: every main record starts a new attempt; steps follow their record.
 * `fields`: the columns asked for, SACCT_FIELDS or SACCT_ARRAY_FIELDS (Comment always last).
 */
export function parseSacctText(
  text: string,
  fields: typeof SACCT_FIELDS | typeof SACCT_ARRAY_FIELDS = SACCT_FIELDS
): SacctJob[] {
  const attempts = new Map<string, { main: Row; steps: Row[] }[]>();
  const order: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const row = parseRow(line, fields);
    if (!row) continue;
    let list = attempts.get(row.id);
    if (!list) {
      list = [];
      attempts.set(row.id, list);
      order.push(row.id);
    }
    const prev = list[list.length - 1];
    if (row.step !== null) prev?.steps.push(row);
    else if (prev && normalizeJobState(prev.main.f.State).state === "RESIZING") {
      // a --no-kill job that lost a node: slurmctld closes the record as RESIZING and opens one for the
      // smaller allocation, same id (seen on 22.05). One run of the job, not a requeue: it started when
      // the first record did.
      list[list.length - 1] = {
        main: { ...row, f: { ...row.f, Submit: prev.main.f.Submit, Start: prev.main.f.Start } },
        steps: [...prev.steps]
      };
    } else list.push({ main: row, steps: [] });
  }
  const out: SacctJob[] = [];
  for (const id of order) {
    const list = attempts.get(id) ?? [];
    const current = list[list.length - 1];
    if (!current) continue;
    const f = current.main.f;
    const ns = normalizeJobState(f.State);
    let exit = readExitPair(f.ExitCode);
    if (exit.exitCode === 0 && exit.signal === null) {
      // a cancelled/timed-out job records 0:0 itself; the batch step holds the signal (0:15)
      const batch = current.steps.find((s) => s.step === "batch");
      const b = readExitPair(batch?.f.ExitCode);
      if (b.signal !== null) exit = b;
    }
    const limit = readTimeLimit(f.TimelimitRaw);
    const comment = f.Comment === "" ? null : f.Comment;
    const array = /^(\d+)_/.exec(f.JobID)?.[1];
    out.push({
      jobId: id,
      name: f.JobName || null,
      state: ns.state,
      rawState: f.State,
      reason: f.Reason === "None" || f.Reason === "" ? null : f.Reason,
      exitCode: exit.exitCode,
      signal: exit.signal,
      nodes: expandHostlist(f.NodeList),
      restarts: list.length - 1,
      submitTime: readSlurmDate(f.Submit),
      startTime: readSlurmDate(f.Start),
      endTime: readSlurmDate(f.End),
      timeLimitMinutes: limit,
      comment,
      tag: parseSubmissionTag(comment),
      ...(array !== undefined ? { arrayJobId: array } : {}),
      cancelledBy: ns.cancelledBy,
      source: "sacct",
      priorAttempts: list.slice(0, -1).map((a) => ({
        state: normalizeJobState(a.main.f.State).state,
        nodes: expandHostlist(a.main.f.NodeList),
        endTime: readSlurmDate(a.main.f.End)
      }))
    });
  }
  return out;
}

/** sacct's answer on clusters without slurmdbd (stderr or stdout, exit status varies). */
export function isAccountingDisabled(output: string): boolean {
  return /accounting storage is disabled/i.test(output);
}

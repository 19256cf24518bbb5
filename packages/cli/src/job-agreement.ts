import { statePhase } from "@neoxctl/slurm";
import type { JobStatus } from "@neoxctl/slurm";

/** Where the supervisor's record has a job: an attempt's phase, or a queued continuation. */
export type RecordedPhase = "submitting" | "queued" | "running" | "ended" | "continuation";

/** Whether Slurm's word and the record's match; `unknown` when there is nothing to compare. */
export type Agreement = "agree" | "disagree" | "unknown";

export interface RecordedJob {
  phase: RecordedPhase;
  /** how the record says it ended (a Slurm state, or GONE when it vanished); null unless ended */
  endState: string | null;
  cancelRequested: boolean;
}

export interface JobVerdict {
  agreement: Agreement;
  /** why, in one sentence; empty when they agree */
  note: string;
}

const agree: JobVerdict = { agreement: "agree", note: "" };
const disagree = (note: string): JobVerdict => ({ agreement: "disagree", note });

function recordWords(r: RecordedJob): string {
  switch (r.phase) {
    case "submitting":
      return "the record is still submitting it";
    case "queued":
      return "the record has it queued";
    case "running":
      return "the record has it running";
    case "continuation":
      return "the record has it as a queued continuation";
    case "ended":
      return `the record says it ended ${r.endState ?? "(state not recorded)"}${r.cancelRequested ? " after a cancel" : ""}`;
  }
}

function whileWaiting(record: RecordedJob, live: JobStatus): JobVerdict {
  switch (record.phase) {
    case "submitting":
    case "queued":
    case "continuation":
      return agree;
    case "running":
    case "ended":
      return disagree(`Slurm has it ${live.state} (waiting to run again); ${recordWords(record)}`);
  }
}

function whileActive(record: RecordedJob, live: JobStatus): JobVerdict {
  switch (record.phase) {
    case "running":
      return agree;
    case "submitting":
    case "queued":
    case "continuation":
      return disagree(`Slurm has it ${live.state}; ${recordWords(record)} (not seen starting)`);
    case "ended":
      return disagree(`Slurm still has it ${live.state}, holding nodes; ${recordWords(record)}`);
  }
}

function afterEnd(record: RecordedJob, live: JobStatus): JobVerdict {
  switch (record.phase) {
    case "ended":
      return record.endState === live.state
        ? agree
        : disagree(`Slurm says it ended ${live.state}; ${recordWords(record)}`);
    case "submitting":
    case "queued":
    case "running":
    case "continuation":
      return disagree(`Slurm says it ended ${live.state}; ${recordWords(record)}`);
  }
}

/**
 * Slurm's live state of one job against the supervisor's record of it. Slurm is the truth; a
 * disagreement means the record is stale (the supervisor is down or behind) or the supervisor
 * decided something Slurm has not carried out (a cancelled job still running holds its nodes).
 */
export function compareJob(record: RecordedJob, live: JobStatus | undefined): JobVerdict {
  if (live === undefined)
    return record.phase === "ended"
      ? { agreement: "unknown", note: "Slurm no longer knows this job (gone from its queue and accounting)" }
      : disagree(`Slurm does not know this job; ${recordWords(record)}`);
  switch (statePhase(live.state)) {
    case "unknown":
      return {
        agreement: "unknown",
        note: `Slurm reports "${live.rawState}", a state neoxctl does not know`
      };
    case "waiting":
    case "requeue":
      return whileWaiting(record, live);
    case "active":
      return whileActive(record, live);
    case "final":
      return afterEnd(record, live);
  }
}

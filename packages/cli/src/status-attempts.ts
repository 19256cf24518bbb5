import type { Attempt, StoredEvent } from "@neoxctl/supervisor";
import type { RecordedJob, RecordedPhase } from "./job-agreement.ts";

/** One attempt as `status <run>` shows it. */
export interface AttemptRow {
  index: number;
  reason: string;
  jobId: string | null;
  nodes: string[];
  /** `init`, `step 1200`, or `newest` (resume with no step named) */
  loaded: string;
  excluded: string[];
  lr: number;
  /** `running`, `queued`, `submitting`, or how it ended (`COMPLETED`, `NODE_FAIL`, … plus `cancelled by supervisor`) */
  ended: string;
  /** the same as data: where the record has the attempt's job, how it ended, whether a cancel was asked */
  recorded: RecordedJob;
  createdAt: string;
  endedAt: string | null;
}

/** The nodes an attempt ran on: its record, else the newest event of that attempt naming nodes. */
function nodesOf(a: Attempt, events: readonly StoredEvent[]): string[] {
  if (a.nodes?.length) return a.nodes;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as StoredEvent;
    if (e.attempt === a.index && e.evidence.nodes?.length) return e.evidence.nodes;
  }
  return [];
}

function loadedOf(a: Attempt): string {
  switch (a.params.load.kind) {
    case "init":
      return "init";
    case "resume":
      return a.params.load.iteration !== undefined ? `step ${a.params.load.iteration}` : "newest";
  }
}

function phaseOf(a: Attempt, started: boolean): RecordedPhase {
  switch (a.phase) {
    case "submitting":
      return "submitting";
    case "submitted":
      return started ? "running" : "queued";
    case "ended":
      return "ended";
  }
}

function endedOf(a: Attempt, phase: RecordedPhase): string {
  return phase === "ended"
    ? `${a.endState ?? "ended"}${a.cancelRequested ? " (cancel requested)" : ""}`
    : phase;
}

export function attemptRows(attempts: readonly Attempt[], events: readonly StoredEvent[]): AttemptRow[] {
  return attempts.map((a) => {
    const phase = phaseOf(
      a,
      events.some((e) => e.attempt === a.index && e.type === "job_started")
    );
    return {
      index: a.index,
      reason: a.reason,
      jobId: a.jobId ?? null,
      nodes: nodesOf(a, events),
      loaded: loadedOf(a),
      excluded: a.params.excludeNodes,
      lr: a.params.lr,
      ended: endedOf(a, phase),
      recorded: {
        phase,
        endState: phase === "ended" ? (a.endState ?? null) : null,
        cancelRequested: a.cancelRequested
      },
      createdAt: a.createdAt,
      endedAt: a.endedAt ?? null
    };
  });
}

export function attemptLine(r: AttemptRow): string {
  return `  #${r.index} ${r.reason.padEnd(8)} job ${r.jobId ?? "-"}  nodes ${r.nodes.join(",") || "-"}  loaded ${r.loaded}  exclude [${r.excluded.join(",")}]  lr ${r.lr.toExponential(3)}  → ${r.ended}`;
}

/** `status <run> --jobs`: each Slurm job the run's records name, oldest first. */
export interface JobRow {
  jobId: string;
  attempt: number;
  /** the record's words (as in `status <run>`) */
  state: string;
  recorded: RecordedJob;
  submittedAt: string;
  endedAt: string | null;
}

export function jobRows(
  rows: readonly AttemptRow[],
  queued?: { jobId?: string; attempt?: number }
): JobRow[] {
  const out: JobRow[] = rows
    .filter((r) => r.jobId !== null)
    .map((r) => ({
      jobId: r.jobId as string,
      attempt: r.index,
      state: r.ended,
      recorded: r.recorded,
      submittedAt: r.createdAt,
      endedAt: r.endedAt
    }));
  if (queued?.jobId && !out.some((j) => j.jobId === queued.jobId))
    out.push({
      jobId: queued.jobId,
      attempt: queued.attempt ?? rows.length + 1,
      state: "continuation (pending)",
      recorded: { phase: "continuation", endState: null, cancelRequested: false },
      submittedAt: "",
      endedAt: null
    });
  return out;
}

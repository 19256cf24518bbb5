import { SlurmError } from "@neoxctl/core";
import { expandHostlist } from "./hostlist.ts";
import { normalizeJobState, statePhase } from "./job-state.ts";
import { parseSubmissionTag, type JobStatus } from "./job-status.ts";
import { isRecord, readEpoch, readJsonExit, readSlurmNumber, readString } from "./slurm-values.ts";

/** Parses a JSON document from a Slurm command, as SLURM_PARSE when it is not one. */
export function parseSlurmJson(text: string, command: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new SlurmError(
      "SLURM_PARSE",
      `${command} did not print JSON`,
      { command, head: text.slice(0, 300) },
      { cause: err }
    );
  }
  if (!isRecord(doc))
    throw new SlurmError("SLURM_PARSE", `${command} printed JSON that is not an object`, { command });
  return doc;
}

/**
 * `errors` in a Slurm JSON answer. squeue 22.05 exits 0 with an empty job list and
 * `{"description":"Failed while looking for jobs","source":"slurm_load_jobs"}` when the
 * controller is down, so a non-empty list means "no answer", never "no jobs".
 */
export function throwOnJsonErrors(doc: Record<string, unknown>, command: string): void {
  const errors = Array.isArray(doc.errors) ? doc.errors : [];
  if (errors.length === 0) return;
  const text = errors
    .map((e) =>
      isRecord(e)
        ? [e.description, e.error, e.source].filter((x) => typeof x === "string").join(" / ")
        : String(e)
    )
    .join("; ");
  throw new SlurmError("SLURM_UNAVAILABLE", `${command}: Slurm answered with errors: ${text}`, {
    command,
    errors
  });
}

/** One job object from `squeue --json` (22.05 `v0.0.38` and later data_parser shapes). */
function jobFromSqueue(j: Record<string, unknown>): JobStatus {
  const id = readSlurmNumber(j.job_id);
  if (typeof id !== "number") throw new SlurmError("SLURM_PARSE", "squeue job without job_id", { job: j });
  const ns = normalizeJobState(j.job_state);
  const exit = readJsonExit(j.exit_code);
  const ended = statePhase(ns.state) === "final";
  const waiting = statePhase(ns.state) === "waiting" || statePhase(ns.state) === "requeue";
  const reason = readString(j.state_reason);
  const limit = readSlurmNumber(j.time_limit);
  const comment = readString(j.comment);
  const array = readSlurmNumber(j.array_job_id);
  return {
    jobId: String(id),
    name: readString(j.name),
    state: ns.state,
    rawState: ns.tokens.join(","),
    reason: reason === "None" ? null : reason,
    exitCode: ended ? exit.exitCode : null,
    signal: ended ? exit.signal : null,
    nodes: expandHostlist(readString(j.nodes) ?? ""),
    restarts: Math.max(0, Number(readSlurmNumber(j.restart_cnt) ?? 0)),
    submitTime: readEpoch(j.submit_time),
    // for pending jobs Slurm puts its *expected* start/end here; those are not facts
    startTime: waiting ? null : readEpoch(j.start_time),
    endTime: ended ? readEpoch(j.end_time) : null,
    timeLimitMinutes: typeof limit === "number" ? limit : null,
    comment,
    tag: parseSubmissionTag(comment),
    ...(typeof array === "number" && array > 0 ? { arrayJobId: String(array) } : {}),
    cancelledBy: null,
    source: "squeue"
  };
}

export function parseSqueueJson(text: string): JobStatus[] {
  const doc = parseSlurmJson(text, "squeue --json");
  throwOnJsonErrors(doc, "squeue --json");
  if (!Array.isArray(doc.jobs)) throw new SlurmError("SLURM_PARSE", "squeue --json without a jobs list", {});
  return doc.jobs.filter(isRecord).map(jobFromSqueue);
}

import { expandHostlist } from "./hostlist.ts";
import { normalizeJobState, statePhase } from "./job-state.ts";
import { parseSubmissionTag, type JobStatus } from "./job-status.ts";
import { readExitPair, readSlurmDate, readTimeLimit } from "./slurm-values.ts";

/**
 * `scontrol -o show job` prints one line per job of `Key=Value` pairs separated by spaces, but
 * values may contain spaces themselves (Command=/path/script arg). A new pair starts only where
 * a space is followed by a word and `=`, which no argument-with-spaces in practice looks like.
 */
export function parseKeyValueLine(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /(?:^|\s)([A-Za-z][A-Za-z0-9_/:]*)=/g;
  const marks: { key: string; start: number; valueStart: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    const key = m[1] ?? "";
    marks.push({ key, start: m.index, valueStart: m.index + m[0].length });
  }
  for (let i = 0; i < marks.length; i++) {
    const cur = marks[i];
    if (!cur) continue;
    const end = marks[i + 1]?.start ?? line.length;
    if (!out.has(cur.key)) out.set(cur.key, line.slice(cur.valueStart, end).trim());
  }
  return out;
}

function nullish(v: string | undefined): string | null {
  if (v === undefined || v === "" || v === "(null)" || v === "None" || v === "N/A") return null;
  return v;
}

export function parseScontrolJobs(text: string): JobStatus[] {
  const out: JobStatus[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("JobId=")) continue;
    const kv = parseKeyValueLine(line);
    const id = kv.get("JobId");
    if (!id) continue;
    const ns = normalizeJobState(kv.get("JobState"));
    const phase = statePhase(ns.state);
    const exit = readExitPair(kv.get("ExitCode"));
    const comment = nullish(kv.get("Comment"));
    const limit = kv.get("TimeLimit");
    out.push({
      jobId: id,
      name: nullish(kv.get("JobName")),
      state: ns.state,
      rawState: kv.get("JobState") ?? "",
      reason: nullish(kv.get("Reason")),
      exitCode: phase === "final" ? exit.exitCode : null,
      signal: phase === "final" ? exit.signal : null,
      nodes: expandHostlist(nullish(kv.get("NodeList")) ?? ""),
      restarts: Number(kv.get("Restarts") ?? 0) || 0,
      submitTime: readSlurmDate(kv.get("SubmitTime")),
      startTime: phase === "waiting" || phase === "requeue" ? null : readSlurmDate(kv.get("StartTime")),
      endTime: phase === "final" ? readSlurmDate(kv.get("EndTime")) : null,
      timeLimitMinutes: limit === "UNLIMITED" ? null : readTimeLimit(limit),
      comment,
      tag: parseSubmissionTag(comment),
      cancelledBy: null,
      source: "scontrol"
    });
  }
  return out;
}

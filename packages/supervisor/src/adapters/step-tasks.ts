import { JOB_STATES } from "@neoxctl/slurm";
import type { JobState } from "@neoxctl/slurm";
import type { StepTaskView } from "../ports.ts";
import { fold } from "./slurm-client.ts";

/** The columns of the one sacct call that reports the tasks of a run's step jobs. */
export const STEP_SACCT_FIELDS = ["JobID", "State", "ExitCode", "NodeList", "Reason"] as const;

/** `sacct -X -P`: allocations only (no .batch/.extern steps), every array task on its own row. */
export function stepSacctArgv(jobIds: readonly string[]): string[] {
  return ["sacct", "-X", "-P", "--noheader", "-o", STEP_SACCT_FIELDS.join(","), "-j", jobIds.join(",")];
}

/** `0-3%2`, `1,4-5` → the task indices (the `%N` concurrency limit dropped). */
export function expandTaskRange(text: string): number[] {
  const out: number[] = [];
  for (const part of text.replace(/%\d+$/, "").split(",")) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    const by = m[3] !== undefined ? Math.max(1, Number(m[3])) : 1;
    for (let i = from; i <= to; i += by) out.push(i);
  }
  return out;
}

/** A compressed node list as sacct prints it (`nid[001-002]`, `None assigned`). */
function nodesOf(text: string): string[] {
  if (!text || /^none/i.test(text)) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/([^,[\]]+)(?:\[([^\]]+)\])?/g)) {
    const base = m[1]!;
    if (!m[2]) {
      out.push(base);
      continue;
    }
    for (const part of m[2].split(",")) {
      const [a, b] = part.split("-");
      if (a === undefined) continue;
      if (b === undefined) out.push(base + a);
      else for (let i = Number(a); i <= Number(b); i++) out.push(base + String(i).padStart(a.length, "0"));
    }
  }
  return out;
}

function stateOf(text: string): JobState {
  const word = (text.split(/\s+/)[0] ?? "").toUpperCase();
  return (JOB_STATES as readonly string[]).includes(word) ? (word as JobState) : "UNKNOWN";
}

/**
 * Parses the sacct rows of step jobs: `123` (a plain job), `123_4` (an array task), `123_[5-7%2]`
 * (array tasks not started yet: one row for the range). Keys follow graph-view's taskKey.
 */
export function parseStepTasks(text: string): Map<string, StepTaskView> {
  const out = new Map<string, StepTaskView>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const [id = "", state = "", exit = "", nodes = "", reason = ""] = line.split("|");
    const m = /^(\d+)(?:_(\d+|\[([^\]]+)\]))?$/.exec(id.trim());
    if (!m) continue;
    const code = /^(\d+):/.exec(exit);
    const view = (key: string): StepTaskView => ({
      key,
      state: fold(stateOf(state)),
      exitCode: code ? Number(code[1]) : null,
      nodes: nodesOf(nodes.trim()),
      ...(reason && reason !== "None" ? { reason } : {})
    });
    if (m[3] !== undefined)
      for (const t of expandTaskRange(m[3])) out.set(`${m[1]}_${t}`, view(`${m[1]}_${t}`));
    else {
      const key = m[2] !== undefined ? `${m[1]}_${m[2]}` : m[1]!;
      out.set(key, view(key));
    }
  }
  return out;
}

import { parseLine, readRcclTransport } from "@neoxctl/monitor";
import { PHASE2_MARKER } from "@neoxctl/plan";
import type { CanaryObservation } from "@neoxctl/plan";

type Job = CanaryObservation["job"];

const RANK_EXCEPTION = /^\[rank\d+\]:\s*[A-Za-z_.]*(?:Error|Exception)\b/;

/** How many error lines the report keeps: the first ones, nearest the cause. */
const KEPT_ERRORS = 5;

/**
 * Reads a canary job's output (both phases, one file) into what the judgement needs. The phase-2
 * marker line splits it: steps, saves and loads before it are phase 1's, after it phase 2's. RCCL's
 * network choice comes from the monitor's reader over the whole log.
 */
export function observeCanaryLog(text: string, job: Job): CanaryObservation {
  const o: CanaryObservation = {
    job,
    preflightFailure: null,
    phase1Steps: [],
    savedTag: null,
    phase2Started: false,
    phase2LoadedPath: null,
    phase2Steps: [],
    rccl: { transport: null, networks: [], provider: null, socketNodes: [], evidence: [] },
    errors: []
  };
  const lines = text.split("\n");
  for (const line of lines) {
    if (line.startsWith(PHASE2_MARKER)) {
      o.phase2Started = true;
      continue;
    }
    const ev = parseLine(line);
    if (ev === null) {
      // an exception a rank printed with torchrun-style `[rankN]:` in front (the parser wants it bare)
      if (RANK_EXCEPTION.test(line)) o.errors.push(line.trim());
      continue;
    }
    // not a switch: the canary reads a few kinds and ignores the rest, including kinds added later
    if (ev.kind === "preflight_failed") o.preflightFailure ??= ev.message;
    else if (ev.kind === "train") {
      if (o.phase2Started) o.phase2Steps.push(ev.step);
      else if (ev.iterMs !== null) o.phase1Steps.push({ step: ev.step, ms: ev.iterMs });
    } else if (ev.kind === "checkpoint_saved") {
      if (!o.phase2Started) o.savedTag = ev.tag ?? (ev.step !== null ? `global_step${ev.step}` : null);
    } else if (ev.kind === "checkpoint_loaded") {
      if (o.phase2Started) o.phase2LoadedPath = ev.path;
    } else if (ev.kind === "python_exception") o.errors.push(`${ev.type}: ${ev.message}`);
    else if (
      ev.kind === "node_error" ||
      ev.kind === "collective_timeout" ||
      ev.kind === "out_of_memory" ||
      ev.kind === "storage_error"
    )
      o.errors.push(ev.message);
    else if (ev.kind === "task_exit")
      o.errors.push(`task ${ev.task} on ${ev.node} exited with code ${ev.exitCode}`);
  }
  o.errors = o.errors.slice(0, KEPT_ERRORS);
  const r = readRcclTransport(lines);
  o.rccl = {
    transport: r.transport,
    networks: r.networks,
    provider: r.provider,
    socketNodes: r.socketNodes,
    evidence: r.evidence
  };
  return o;
}

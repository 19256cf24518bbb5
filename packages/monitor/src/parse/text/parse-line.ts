import type { LogEvent, LogFormat } from "../events.ts";
import { parseLlmcLine } from "./llmc-line.ts";
import { parseExceptionLine, parseFailureLine } from "./failure-lines.ts";
import { parseNodeErrorLine } from "./node-errors.ts";
import { parsePreflightLine } from "./preflight-line.ts";
import { parseRcclNetLine } from "./rccl-net-lines.ts";
import { parseRestartLine } from "./restart-line.ts";
import { parseRuntimeLine } from "./runtime-lines.ts";
import { parseStorageErrorLine } from "./storage-errors.ts";
import { parseTrainLine } from "./train-line.ts";

export type ParseFormat = LogFormat | "auto";

/**
 * One line → one event or null. Never throws: a follower feeds it whatever the job printed,
 * including binary garbage and half-written lines.
 */
export function parseLine(line: string, format: ParseFormat = "auto"): LogEvent | null {
  const ev = parseAny(line, format);
  return ev !== null && countersAreSafe(ev) ? ev : null;
}

// A step of 400 digits parses to Infinity (or to a rounded neighbour past 2^53); such a line is garbage,
// not a position to resume from or to plot, so it is treated as unrecognised.
function countersAreSafe(ev: LogEvent): boolean {
  const counters: (number | null)[] = "step" in ev ? [ev.step] : [];
  if (ev.kind === "train") counters.push(ev.totalSteps);
  if (ev.kind === "deepspeed_step") counters.push(ev.skipped);
  if (ev.kind === "collective_timeout") counters.push(ev.rank, ev.seq, ev.ms);
  if (ev.kind === "node_error") counters.push(ev.rank);
  if (ev.kind === "in_job_restart" || ev.kind === "in_job_restart_refused") counters.push(ev.restart, ev.max);
  return counters.every((n) => n === null || (Number.isSafeInteger(n) && n >= 0));
}

function parseAny(line: string, format: ParseFormat): LogEvent | null {
  try {
    if (format === "llmc") return parseLlmcLine(line);
    const train = parseTrainLine(line);
    if (train) return format === "auto" || train.format === format ? train : null;
    if (format === "auto") {
      const llmc = parseLlmcLine(line);
      if (llmc) return llmc;
    }
    // before the runtime lines: older DeepSpeed spells it "Failed Saving model checkpoint", which
    // the checkpoint_saving pattern would otherwise take
    return (
      parsePreflightLine(line) ??
      parseRestartLine(line) ??
      parseStorageErrorLine(line) ??
      parseRuntimeLine(line) ??
      parseFailureLine(line) ??
      parseRcclNetLine(line) ??
      parseNodeErrorLine(line) ??
      parseExceptionLine(line)
    );
  } catch {
    return null;
  }
}

/** Parses many lines, counting the ones nothing recognised (blank lines are not counted). */
export class LineParser {
  unparsed = 0;
  parsed = 0;
  constructor(private readonly format: ParseFormat = "auto") {}

  parse(line: string): LogEvent | null {
    const ev = parseLine(line, this.format);
    if (ev) this.parsed++;
    else if (line.trim() !== "") this.unparsed++;
    return ev;
  }
}

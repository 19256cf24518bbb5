import type { LogEvent } from "../events.ts";
import { parsePyFloat } from "./numbers.ts";
import { stripLinePrefixes } from "./rank-prefix.ts";

/**
 * Rank-0 lines around the training line: eval results, timers, checkpoint load/save, voluntary
 * exit, data position, LR overrides, DeepSpeed's own step and overflow lines. Patterns are anchored
 * on the distinctive phrase only, because DeepSpeed prefixes its lines with timestamps and
 * `[INFO] [file:line:func]` tags that vary by version.
 */

type Matcher = (line: string) => LogEvent | null;

const int = (s: string | undefined): number => Number(s);

function keyValues(parts: readonly string[], suffix: RegExp): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of parts) {
    const m = /^(.+?):\s*(\S+)$/.exec(part.trim());
    if (!m || m[1] === undefined || m[2] === undefined) continue;
    const v = parsePyFloat(m[2]);
    if (v !== null) out[m[1].replace(suffix, "").trim()] = v;
  }
  return out;
}

const evalLine: Matcher = (line) => {
  // NeoX: " validation results at iteration 1000 | lm_loss value: … | lm_loss_ppl value: … |"
  // Megatron-DeepSpeed: " validation loss at iteration 1000 | lm loss value: … | lm loss PPL: … |"
  // and at the end of training: " validation results at the end of training for val data | …"
  const m = /validation (?:results|loss) at (?:iteration\s+(\d+)|the end of training[^|]*?)\s*\|(.*)$/.exec(
    line
  );
  if (!m) return null;
  const step = m[1] === undefined ? null : int(m[1]);
  return {
    kind: "eval",
    format: line.includes("validation results") ? "neox" : "megatron",
    step,
    losses: keyValues((m[2] ?? "").split("|"), /\s+value$/)
  };
};

const timersLine: Matcher = (line) => {
  const m = /^\s*time \(ms\)\s*(\|.*)?$/.exec(line);
  if (!m) return null;
  return { kind: "timers", timersMs: keyValues((m[1] ?? "").split("|"), /$/) };
};

const simple: readonly Matcher[] = [
  (l) => (/^\s*training \.\.\.\s*$/.test(l) ? { kind: "training_start" } : null),
  (l) => {
    const m = /Loading checkpoint and starting from iteration\s+(\d+)/.exec(l);
    return m ? { kind: "checkpoint_load_start", step: int(m[1]) } : null;
  },
  (l) => {
    const m = /Unable to load checkpoint(?: for iteration\s+(\d+))?/.exec(l);
    return m ? { kind: "checkpoint_missing", step: m[1] === undefined ? null : int(m[1]) } : null;
  },
  (l) => {
    const m = /^\s*successfully loaded (?:checkpoint from )?(\S+)/.exec(l);
    return m ? { kind: "checkpoint_loaded", path: m[1] ?? "" } : null;
  },
  (l) => {
    const m = /\[Torch\] Checkpoint (global_step(\d+)|\S+) is ready now/.exec(l);
    return m
      ? { kind: "checkpoint_saved", tag: m[1] ?? null, step: m[2] === undefined ? null : int(m[2]) }
      : null;
  },
  (l) => {
    const m = /successfully saved checkpoint at iteration\s+(\d+)/.exec(l);
    return m ? { kind: "checkpoint_saved", tag: `global_step${m[1]}`, step: int(m[1]) } : null;
  },
  (l) => {
    const m = /(?:Saving model checkpoint:?|saving checkpoint at iteration\s+(\d+) to)\s*(\S+)?/.exec(l);
    if (!m) return null;
    const path = m[2] ?? null;
    const fromPath = path === null ? null : /global_step(\d+)/.exec(path);
    const step = m[1] !== undefined ? int(m[1]) : fromPath ? int(fromPath[1]) : null;
    return { kind: "checkpoint_saving", step, path };
  },
  (l) => {
    const m = /exiting the program at iteration\s+(\d+)/.exec(l);
    return m ? { kind: "exit_interval", step: int(m[1]) } : null;
  },
  (l) => {
    const m = /setting training data start iteration to\s+(\d+)/.exec(l);
    return m ? { kind: "data_start", step: int(m[1]) } : null;
  },
  (l) => {
    const m = /> overriding learning rate value to\s+(\S+)/.exec(l);
    return m ? { kind: "lr_override", source: "config", lr: parsePyFloat(m[1] ?? "") } : null;
  },
  (l) => {
    const m = /> using checkpoint value\s+(\S+)\s+for learning rate/.exec(l);
    return m ? { kind: "lr_override", source: "checkpoint", lr: parsePyFloat(m[1] ?? "") } : null;
  },
  (l) => {
    const m = /\bstep=(\d+), skipped=(\d+), lr=\[/.exec(l);
    return m ? { kind: "deepspeed_step", step: int(m[1]), skipped: int(m[2]) } : null;
  },
  (l) => {
    if (!/OVERFLOW!.*Skipping step/.test(l)) return null;
    const m = /reducing to\s+([\d.]+)/.exec(l);
    return { kind: "overflow", lossScale: m ? parsePyFloat(m[1] ?? "") : null };
  }
];

export function parseRuntimeLine(rawLine: string): LogEvent | null {
  const line = stripLinePrefixes(rawLine);
  const ev = evalLine(line) ?? timersLine(line);
  if (ev) return ev;
  for (const match of simple) {
    const hit = match(line);
    if (hit) return hit;
  }
  return null;
}

import type { LogEvent } from "../events.ts";
import { parsePyFloat } from "./numbers.ts";

/** llm.c's compact log: `s:N trl:LOSS lr:LR norm:GNORM` for training, `s:N tel:LOSS` for eval. */
const LLMC = /^\s*s:(\d+)\s+(trl|tel):(\S+)(?:\s+lr:(\S+))?(?:\s+norm:(\S+))?\s*$/;

export function parseLlmcLine(line: string): LogEvent | null {
  const m = LLMC.exec(line);
  if (!m) return null;
  const step = Number(m[1]);
  const loss = parsePyFloat(m[3] ?? "");
  if (loss === null) return null;
  if (m[2] === "tel") return { kind: "eval", format: "llmc", step, losses: { tel: loss } };
  return {
    kind: "train",
    format: "llmc",
    step,
    totalSteps: null,
    loss,
    losses: { trl: loss },
    lr: m[4] === undefined ? null : parsePyFloat(m[4]),
    iterMs: null,
    samplesPerSec: null,
    lossScale: null,
    gradNorm: m[5] === undefined ? null : parsePyFloat(m[5]),
    skippedIters: null,
    nanIters: null,
    mfuPct: null,
    hfuPct: null,
    flopsPerGpu: null
  };
}

import type { LogFormat, TrainEvent } from "../events.ts";
import { parseIntStrict, parsePyFloat } from "./numbers.ts";
import { stripLinePrefixes } from "./rank-prefix.ts";
import { isLossKey } from "../field-names.ts";

/**
 * NeoX (`samples/sec: … | iteration N/ M | …`) and Megatron-DeepSpeed (`iteration N/ M | consumed
 * samples: … | lm loss: … |`) print the same shape: `key: value` fields separated by `|`. Parsing
 * field by field instead of with one positional regex keeps optional fields (MFU/HFU, loss scale,
 * grad norm, TFLOPs) and unknown extra loss keys from breaking the match.
 */

/** the loss the detector watches, in order of preference */
const PRIMARY_LOSS_KEYS = ["lm_loss", "lm loss", "loss"] as const;

const ITERATION_FIELD = /^iteration\s+(\d+)\s*\/\s*(\d+)$/;

export function parseTrainLine(rawLine: string): TrainEvent | null {
  const line = stripLinePrefixes(rawLine);
  if (!line.includes("iteration") || !line.includes("|")) return null;
  const fields = line
    .split("|")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  let step: number | null = null;
  let total: number | null = null;
  const values = new Map<string, string>();
  for (const field of fields) {
    const it = ITERATION_FIELD.exec(field);
    if (it) {
      step = Number(it[1]);
      total = Number(it[2]);
      continue;
    }
    const colon = field.lastIndexOf(":");
    if (colon <= 0) continue;
    values.set(field.slice(0, colon).trim(), field.slice(colon + 1).trim());
  }
  if (step === null) return null;
  // NeoX's line starts with samples/sec and always carries the flops field; Megatron's never does
  const format: LogFormat =
    values.has("samples/sec") || values.has("approx flops per GPU") ? "neox" : "megatron";

  const losses: Record<string, number> = {};
  for (const [key, raw] of values) {
    if (!isLossKey(key)) continue;
    const v = parsePyFloat(raw);
    if (v !== null) losses[key] = v;
  }
  let loss: number | null = null;
  for (const key of PRIMARY_LOSS_KEYS) {
    const v = losses[key];
    if (v !== undefined) {
      loss = v;
      break;
    }
  }
  if (loss === null) {
    const first = Object.values(losses)[0];
    if (first !== undefined) loss = first;
  }

  const num = (key: string): number | null => {
    const raw = values.get(key);
    return raw === undefined ? null : parsePyFloat(raw.replace(/%$/, ""));
  };
  const int = (key: string): number | null => {
    const raw = values.get(key);
    return raw === undefined ? null : parseIntStrict(raw);
  };
  const seconds = num("elapsed time per iteration (s)");
  return {
    kind: "train",
    format,
    step,
    totalSteps: total,
    loss,
    losses,
    lr: num("learning rate"),
    iterMs: num("elapsed time per iteration (ms)") ?? (seconds === null ? null : seconds * 1000),
    samplesPerSec: num("samples/sec") ?? num("samples per second"),
    lossScale: num("loss scale"),
    gradNorm: num("grad norm"),
    skippedIters: int("number of skipped iterations"),
    nanIters: int("number of nan iterations"),
    mfuPct: num("MFU"),
    hfuPct: num("HFU"),
    flopsPerGpu: values.get("approx flops per GPU") ?? null
  };
}

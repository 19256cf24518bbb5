import { formatExp, formatFixed, formatIntWidth, humanReadableFlops } from "../format/pyformat.ts";

export interface TrainingLineInput {
  samplesPerSec: number;
  iteration: number;
  trainIters: number;
  msPerIter: number;
  lr: number;
  flopsPerGpu: number;
  /** MFU/HFU in percent, only when peak_theoretical_tflops is set */
  mfu: { mfu: number; hfu: number } | null;
  lmLoss: number;
  /** fp16 only */
  lossScale: number | null;
  skipped: number;
  nan: number;
}

/** The per-log_interval line of NeoX's training_log, field by field. */
export function trainingLine(i: TrainingLineInput): string {
  let s = ` samples/sec: ${formatFixed(i.samplesPerSec, 3)} |`;
  s += ` iteration ${formatIntWidth(i.iteration, 8)}/${formatIntWidth(i.trainIters, 8)} |`;
  s += ` elapsed time per iteration (ms): ${formatFixed(i.msPerIter, 1)} |`;
  s += ` learning rate: ${formatExp(i.lr, 3)} |`;
  s += ` approx flops per GPU: ${humanReadableFlops(i.flopsPerGpu)} |`;
  if (i.mfu) s += ` MFU: ${formatFixed(i.mfu.mfu, 2)}% | HFU: ${formatFixed(i.mfu.hfu, 2)}% |`;
  s += ` lm_loss: ${formatExp(i.lmLoss, 6)} |`;
  if (i.lossScale !== null) s += ` loss scale: ${formatFixed(i.lossScale, 1)} |`;
  s += ` number of skipped iterations: ${formatIntWidth(i.skipped, 3)} |`;
  s += ` number of nan iterations: ${formatIntWidth(i.nan, 3)} |`;
  return s;
}

/** Timers.log line; with pipeline parallelism NeoX logs no timers, leaving just the prefix. */
export function timersLine(msPerIter: number, pipeline: boolean): string {
  if (pipeline) return "time (ms)";
  const parts: [string, number][] = [
    ["forward", msPerIter * 0.3],
    ["backward", msPerIter * 0.6],
    ["backward-backward", msPerIter * 0.59],
    ["backward-allreduce", 0],
    ["optimizer", msPerIter * 0.08],
    ["batch generator", msPerIter * 0.01]
  ];
  return `time (ms)${parts.map(([k, v]) => ` | ${k}: ${formatFixed(v, 2)}`).join("")}`;
}

/** Evaluation block: one results line framed by dashes one longer than it. */
export function evalBlock(where: string, loss: number): string[] {
  const line = ` validation results at ${where} | lm_loss value: ${formatExp(loss, 6)} | lm_loss_ppl value: ${formatExp(Math.exp(loss), 6)} | `;
  const dashes = "-".repeat(line.length + 1);
  return [dashes, line, dashes];
}

/** NeoX's get_flops estimate for one iteration, per GPU. */
export function flopsPerGpu(p: {
  batch: number;
  seq: number;
  layers: number;
  hidden: number;
  vocab: number;
  checkpointActivations: boolean;
  seconds: number;
  gpus: number;
}): number {
  const factor = p.checkpointActivations ? 4 : 3;
  const perIter =
    24 *
    factor *
    p.batch *
    p.seq *
    p.layers *
    p.hidden ** 2 *
    (1 + p.seq / (6 * p.hidden) + p.vocab / (16 * p.layers * p.hidden));
  return perIter / (Math.max(p.seconds, 1e-9) * p.gpus);
}

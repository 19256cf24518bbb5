import { formatExp, formatFixed, humanReadableFlops } from "@neoxctl/emulator";

/** Field widths NeoX pads `iteration` and the counters to (Python's `{:8d}` and `{:3d}`). */
function pad(n: number, width: number): string {
  return String(n).padStart(width, " ");
}

/**
 * The per-iteration pair the emulator prints at log_interval 1: NeoX's training_log line, then the
 * timers line. Built from the emulator's exported Python-compatible number formatting.
 */
export function neoxIterationLines(
  iteration: number,
  trainIters: number,
  loss: number,
  lr: number,
  msPerIter = 24600
): string {
  const train =
    ` samples/sec: ${formatFixed(83.2519, 3)} | iteration ${pad(iteration, 8)}/${pad(trainIters, 8)} |` +
    ` elapsed time per iteration (ms): ${formatFixed(msPerIter, 1)} | learning rate: ${formatExp(lr, 3)} |` +
    ` approx flops per GPU: ${humanReadableFlops(95.7e12)} | lm_loss: ${formatExp(loss, 6)} |` +
    ` number of skipped iterations: ${pad(0, 3)} | number of nan iterations: ${pad(0, 3)} |`;
  const timers =
    `time (ms) | forward: ${formatFixed(msPerIter * 0.3, 2)} | backward: ${formatFixed(msPerIter * 0.6, 2)}` +
    ` | backward-backward: ${formatFixed(msPerIter * 0.59, 2)} | backward-allreduce: 0.00 | optimizer: ${formatFixed(msPerIter * 0.08, 2)}` +
    ` | batch generator: ${formatFixed(msPerIter * 0.01, 2)}`;
  return `${train}\n${timers}\n`;
}

/** A smooth, slowly falling loss with a little deterministic noise (no RNG, so runs are comparable). */
export function lossAt(step: number): number {
  return 2 + 8 / Math.sqrt(1 + step / 50) + 0.02 * Math.sin(step * 1.7);
}

/** A NeoX training log line (newline included), as the emulator and NeoX print it. */
export function neoxTrainLine(it: number, loss: string, ms = 30): string {
  return ` samples/sec: 83.252 | iteration ${String(it).padStart(8)}/     300 | elapsed time per iteration (ms): ${ms.toFixed(1)} | learning rate: 1.000E-04 | approx flops per GPU: 95.7TFLOPS | lm_loss: ${loss} | number of skipped iterations:   0 | number of nan iterations:   0 |\n`;
}

/** Field names shared by the text parser and the byte fast path, so both read a line alike. */

/** keys that are not losses; any other numeric field is taken as a loss key (NeoX prints one per train_impl loss) */
export const NON_LOSS_KEYS: ReadonlySet<string> = new Set([
  "samples/sec",
  "iteration",
  "elapsed time per iteration (ms)",
  "elapsed time per iteration (s)",
  "learning rate",
  "approx flops per GPU",
  "MFU",
  "HFU",
  "loss scale",
  "number of skipped iterations",
  "number of nan iterations",
  "grad norm",
  "num zeros",
  "params norm",
  "consumed samples",
  "consumed tokens",
  "global batch size",
  "samples per second",
  "TFLOPs",
  "curriculum seqlen"
]);

import type { EmuConfig } from "../config/emu-config.ts";
import { PythonError } from "../config/python-error.ts";

/** NeoX's is_save_iter: extra_save_iters, then linear multiples or log-scale powers of checkpoint_factor. */
export function isSaveIter(cfg: EmuConfig, iteration: number): boolean {
  if (cfg.extraSaveIters.includes(iteration)) return true;
  const f = cfg.checkpointFactor;
  if (f === null) return false;
  switch (cfg.checkpointScale) {
    case "linear":
      if (!Number.isInteger(f))
        throw new PythonError("AssertionError", "checkpoint_factor must be integral for linear scale");
      return iteration % f === 0;
    case "log": {
      if (!(f > 1)) throw new PythonError("AssertionError", "checkpoint_factor must be > 1 for log scale");
      if (iteration < 1) return false;
      const power = Math.round(Math.log(iteration) / Math.log(f));
      return Math.abs(Math.pow(f, power) - iteration) < 1e-9;
    }
  }
}

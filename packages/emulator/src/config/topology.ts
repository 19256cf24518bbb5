import { existsSync, readFileSync } from "node:fs";
import { PythonError } from "./python-error.ts";

/** DeepSpeed's hostfile: `host slots=N` lines, `#` comments, a repeated host is an error. */
function parseHostfile(text: string): Map<string, number> {
  const hosts = new Map<string, number>();
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/#.*/, "").trim();
    if (line === "") continue;
    const m = /^(\S+)\s+slots=(\d+)$/.exec(line);
    if (!m)
      throw new PythonError(
        "ValueError",
        `Hostfile contains a bad entry: ${line}, unable to proceed with launching`
      );
    const [, host = "", slots = "0"] = m;
    if (hosts.has(host))
      throw new PythonError(
        "ValueError",
        `Hostfile contains multiple entries for ${host}, unable to proceed with launching`
      );
    hosts.set(host, Number(slots));
  }
  return hosts;
}

export interface TopologyInput {
  hostfileKey: string | null;
  numGpus: number | null;
  numNodes: number | null;
  globalNumGpus: number | null;
  env: NodeJS.ProcessEnv;
}

/**
 * global_num_gpus as the deepy launcher computes it: explicit key, else the hostfile (the `hostfile`
 * key or DLTS_HOSTFILE, default /job/hostfile), else num_gpus, else the launcher's own device count,
 * which an emulator has none of: NEOX_EMU_LOCAL_GPUS (default 8, one LUMI-G node of GCDs).
 */
export function globalNumGpus(t: TopologyInput): number {
  if (t.globalNumGpus !== null) return t.globalNumGpus;
  const path = t.hostfileKey ?? t.env["DLTS_HOSTFILE"] ?? "/job/hostfile";
  if (t.hostfileKey !== null || existsSync(path)) {
    const hosts = [...parseHostfile(readFileSync(path, "utf8")).values()];
    const used = t.numNodes !== null && t.numNodes > 0 ? hosts.slice(0, t.numNodes) : hosts;
    if (t.numGpus !== null && t.numGpus > 0) return t.numGpus * used.length;
    return used.reduce((a, b) => a + b, 0);
  }
  if (t.numGpus !== null) return t.numGpus * Math.max(t.numNodes ?? 1, 1);
  return Number(t.env["NEOX_EMU_LOCAL_GPUS"] ?? "8");
}

export interface Batch {
  dp: number;
  trainBatchSize: number;
  micro: number;
  gas: number;
}

/** calculate_derived's batch triple and the identity train_batch_size == micro × gas × dp. */
export function deriveBatch(
  gpus: number,
  pp: number,
  tp: number,
  tbs: number | null,
  mbs: number | null,
  gasIn: number | null
): Batch {
  const dpExact = gpus / Math.max(pp, 1) / Math.max(tp, 1);
  if (!Number.isInteger(dpExact)) {
    throw new PythonError(
      "AssertionError",
      `data parallel world size (${gpus} / ${Math.max(pp, 1)} / ${Math.max(tp, 1)}) must be a whole number`
    );
  }
  const dp = dpExact;
  // gradient_accumulation_steps defaults to 1 in NeoX, so it is never derived.
  const gas = gasIn ?? 1;
  let trainBatchSize: number;
  let micro: number;
  if (tbs !== null && mbs !== null) {
    trainBatchSize = tbs;
    micro = mbs;
  } else if (tbs !== null) {
    micro = Math.floor(tbs / dp / gas);
    trainBatchSize = tbs;
  } else if (mbs !== null) {
    micro = mbs;
    trainBatchSize = mbs * gas * dp;
  } else {
    throw new PythonError(
      "AssertionError",
      "Either train_batch_size or train_micro_batch_size_per_gpu needs to be provided"
    );
  }
  if (!(trainBatchSize > 0 && micro > 0 && gas > 0) || trainBatchSize !== micro * gas * dp) {
    throw new PythonError(
      "AssertionError",
      `Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu * gradient_acc_step * world_size ${trainBatchSize} != ${micro} * ${gas} * ${dp}`
    );
  }
  return { dp, trainBatchSize, micro, gas };
}

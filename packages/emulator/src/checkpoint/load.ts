import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PythonError } from "../config/python-error.ts";
import type { Printer } from "../output/printer.ts";
import { dsLogPrefix } from "../output/printer.ts";
import type { CheckpointTopology } from "./expected-files.ts";
import { expectedCheckpointFiles } from "./expected-files.ts";
import type { ModelStates } from "./state.ts";

export type LoadOutcome = { kind: "none" } | { kind: "loaded"; states: ModelStates; path: string };

/** Iterations NeoX lists in its "Available iterations" error: every global_step* entry under load. */
function availableIterations(loadDir: string): number[] {
  if (!existsSync(loadDir)) return [];
  return readdirSync(loadDir)
    .filter((n) => n.startsWith("global_step"))
    .map((n) => Number.parseInt(n.replace("global_step", ""), 10))
    .filter((n) => Number.isFinite(n))
    .sort((a, b) => a - b);
}

/**
 * DeepSpeed's load_checkpoint as NeoX drives it: an explicit `iteration` must exist; otherwise
 * `latest` names the tag and its absence means "nothing to load" (NeoX then trains from scratch).
 * Shards are read per rank, so a missing one fails with FileNotFoundError like torch.load would.
 */
export function loadCheckpoint(
  loadDir: string,
  iteration: number | null,
  topology: CheckpointTopology,
  loadOptim: boolean,
  print: Printer
): LoadOutcome {
  let tag: string;
  if (iteration !== null) {
    const available = availableIterations(loadDir);
    if (!available.includes(iteration)) {
      throw new PythonError(
        "ValueError",
        `Unable to load checkpoint for iteration ${iteration}. \nAvailable iterations: [${available.join(", ")}]`
      );
    }
    tag = `global_step${iteration}`;
  } else {
    const latest = join(loadDir, "latest");
    if (!existsSync(latest)) {
      print.out(
        `${dsLogPrefix("WARNING", "engine.py:2924:load_checkpoint")}Unable to find latest file at ${latest}, if trying to load latest checkpoint please ensure this file exists or pass an explicit checkpoint tag when loading a checkpoint.`
      );
      return { kind: "none" };
    }
    tag = readFileSync(latest, "utf8").trim();
  }
  const dir = join(loadDir, tag);
  const modelPath = join(dir, "mp_rank_00_model_states.pt");
  print.out(
    `${dsLogPrefix("INFO", "torch_checkpoint_engine.py:27:load")}[Torch] Loading checkpoint from ${modelPath}...`
  );
  // zero_to_fp32.py and configs/ are never read back on load; optimizer shards only when loading optimizer state
  const needed = expectedCheckpointFiles(topology).filter(
    (f) => !f.endsWith("/") && f !== "zero_to_fp32.py" && (loadOptim || !f.includes("optim_states"))
  );
  for (const f of needed) {
    if (!existsSync(join(dir, f)))
      throw new PythonError("FileNotFoundError", `[Errno 2] No such file or directory: '${join(dir, f)}'`);
  }
  const states = JSON.parse(readFileSync(modelPath, "utf8")) as ModelStates;
  if (loadOptim && states.dp_world_size !== topology.dp) {
    throw new PythonError(
      "ZeRORuntimeException",
      `The checkpoint being loaded used a DP world size of ${states.dp_world_size} but the current world size is ${topology.dp}. Automatic adjustment of ZeRO's optimizer state partitioning with a new world size is not currently supported.`
    );
  }
  return { kind: "loaded", states, path: modelPath };
}

import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Printer } from "../output/printer.ts";
import { dsLogPrefix, sleepMs } from "../output/printer.ts";
import type { CheckpointTopology } from "./expected-files.ts";
import { expectedCheckpointFiles, rankZeroFiles } from "./expected-files.ts";
import type { ModelStates } from "./state.ts";

export interface SaveRequest {
  saveDir: string;
  iteration: number;
  topology: CheckpointTopology;
  configPaths: readonly string[];
  states: ModelStates;
  saveMs: number;
  /** die after `latest` is written and before the other ranks' shards and configs/ */
  dieAfterLatest: { code: number } | null;
}

function fileBody(name: string, states: ModelStates): string {
  if (name === "zero_to_fp32.py") return "#!/usr/bin/env python\n# emulated: consolidates ZeRO shards into fp32 weights\n";
  if (name.startsWith("mp_rank_")) return JSON.stringify(states);
  return JSON.stringify({ iteration: states.iteration, file: name });
}

/**
 * DeepSpeed's save order, then NeoX's: every rank writes its files, rank 0 truncates-and-writes
 * `latest` (no barrier before it), then NeoX copies the config files into configs/.
 */
export function saveCheckpoint(req: SaveRequest, print: Printer): void {
  const tag = `global_step${req.iteration}`;
  const dir = join(req.saveDir, tag);
  mkdirSync(dir, { recursive: true });
  print.out(`${dsLogPrefix("INFO", "logging.py:128:log_dist")}[Rank 0] Saving model checkpoint: ${join(dir, "mp_rank_00_model_states.pt")}`);
  const all = expectedCheckpointFiles(req.topology).filter((f) => !f.endsWith("/"));
  const mine = rankZeroFiles(req.topology);
  for (const f of mine) writeFileSync(join(dir, f), fileBody(f, req.states));
  sleepMs(req.saveMs / 2);
  if (req.dieAfterLatest) {
    writeFileSync(join(req.saveDir, "latest"), tag);
    print.err("Traceback (most recent call last):");
    print.err('  File "/gpt-neox/megatron/checkpointing.py", line 205, in save_ds_checkpoint');
    print.err("RuntimeError: [enforce fail at inline_container.cc:603] . unexpected pos 4352 vs 4248");
    process.exit(req.dieAfterLatest.code);
  }
  for (const f of all) if (!mine.includes(f)) writeFileSync(join(dir, f), fileBody(f, req.states));
  sleepMs(req.saveMs / 2);
  print.out(`${dsLogPrefix("INFO", "torch_checkpoint_engine.py:33:commit")}[Torch] Checkpoint ${tag} is ready now!`);
  writeFileSync(join(req.saveDir, "latest"), tag);
  mkdirSync(join(dir, "configs"), { recursive: true });
  for (const p of req.configPaths) copyFileSync(p, join(dir, "configs", basename(p)));
}

/** Python's natural sort key: digit runs compare as numbers. */
function naturalKey(s: string): (string | number)[] {
  return s.split(/(\d+)/).map((part, i) => (i % 2 === 1 ? Number(part) : part.toLowerCase()));
}

function naturalCompare(a: string, b: string): number {
  const ka = naturalKey(a);
  const kb = naturalKey(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const x = ka[i] as string | number;
    const y = kb[i] as string | number;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return ka.length - kb.length;
}

/**
 * keep_last_n_checkpoints: NeoX searches `global_step\d*` in the whole path of every directory
 * under save, natural-sorts, and rmtree's all but the newest N (renamed backups match too).
 */
export function pruneCheckpoints(saveDir: string, keep: number): string[] {
  const dirs = readdirSync(saveDir)
    .map((n) => join(saveDir, n))
    .filter((p) => statSync(p).isDirectory() && /global_step\d*/.test(p))
    .sort(naturalCompare);
  const doomed = dirs.slice(0, Math.max(dirs.length - keep, 0));
  for (const d of doomed) rmSync(d, { recursive: true, force: true });
  return doomed;
}

import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { PyFrame } from "../config/python-error.ts";
import { PythonError } from "../config/python-error.ts";
import type { Printer } from "../output/printer.ts";
import { dsLogPrefix, sleepMs } from "../output/printer.ts";
import type { CheckpointTopology } from "./expected-files.ts";
import { expectedCheckpointFiles, rankZeroFiles } from "./expected-files.ts";
import { asPython, isFsError, pyMakedirs } from "./py-os-error.ts";
import type { SaveCaller } from "./save-trace.ts";
import { SAVE_FRAMES } from "./save-trace.ts";
import type { ModelStates } from "./state.ts";

export interface SaveRequest {
  saveDir: string;
  iteration: number;
  topology: CheckpointTopology;
  /** NeoX's `config_files`: each config's basename and text, written into configs/ */
  configFiles: readonly { path: string; text: string }[];
  states: ModelStates;
  saveMs: number;
  /** die after `latest` is written and before the other ranks' shards and configs/ */
  dieAfterLatest: { code: number } | null;
  /** in the training loop, or the final save in pretrain() (only the traceback differs) */
  caller: SaveCaller;
}

function fileBody(name: string, states: ModelStates): string {
  if (name === "zero_to_fp32.py")
    return "#!/usr/bin/env python\n# emulated: consolidates ZeRO shards into fp32 weights\n";
  if (name.startsWith("mp_rank_")) return JSON.stringify(states);
  return JSON.stringify({ iteration: states.iteration, file: name });
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * torch.save(obj, path): the zip writer opens the file, then refuses a missing parent directory
 * before it looks at the open's result, so an uncreated tag directory reads "Parent directory …
 * does not exist." whatever the errno was. Failures are RuntimeErrors, never OSErrors.
 */
function torchSave(path: string, body: string, frames: readonly PyFrame[]): void {
  try {
    writeFileSync(path, body);
  } catch (e) {
    if (!isFsError(e)) throw e;
    const parent = dirname(path);
    let msg: string;
    if (!isDirectory(parent)) msg = `Parent directory ${parent} does not exist.`;
    else if (e.syscall === "open") msg = `File ${path} cannot be opened.`;
    else
      msg = `[enforce fail at inline_container.cc:445] . PytorchStreamWriter failed writing file data/0: file write failed`;
    throw new PythonError("RuntimeError", msg, [], frames);
  }
}

/**
 * DeepSpeed's save order, then NeoX's: every rank writes its files, rank 0 truncates-and-writes
 * `latest` (no barrier before it), then NeoX copies the config files into configs/. Each step fails
 * as its Python counterpart does when the file system refuses (see save-trace.ts for where).
 */
export function saveCheckpoint(req: SaveRequest, print: Printer): void {
  const tag = `global_step${req.iteration}`;
  const dir = join(req.saveDir, tag);
  const c = req.caller;
  pyMakedirs(req.saveDir, SAVE_FRAMES.saveDirMakedirs(c));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    // DeepSpeed's _create_checkpoint_file catches everything, logs one line and carries on
    if (!isFsError(e)) throw e;
    print.out(
      `${dsLogPrefix("ERROR", "engine.py:3366:_create_checkpoint_file")}Failed saving model checkpoint to ${req.saveDir} with tag ${tag}`
    );
  }
  // the pipeline module makes the tag directory again for its layer files, and lets the OSError out
  if (req.topology.pp >= 1) pyMakedirs(dir, SAVE_FRAMES.pipeMakedirs(c));
  print.out(
    `${dsLogPrefix("INFO", "logging.py:128:log_dist")}[Rank 0] Saving model checkpoint: ${join(dir, "mp_rank_00_model_states.pt")}`
  );
  const torchFrames = SAVE_FRAMES.torchSave(c);
  const all = expectedCheckpointFiles(req.topology).filter((f) => !f.endsWith("/"));
  const mine = rankZeroFiles(req.topology);
  for (const f of mine) torchSave(join(dir, f), fileBody(f, req.states), torchFrames);
  sleepMs(req.saveMs / 2);
  if (req.dieAfterLatest) {
    writeFileSync(join(req.saveDir, "latest"), tag);
    print.err("Traceback (most recent call last):");
    print.err('  File "/gpt-neox/megatron/checkpointing.py", line 205, in save_ds_checkpoint');
    print.err("RuntimeError: [enforce fail at inline_container.cc:603] . unexpected pos 4352 vs 4248");
    process.exit(req.dieAfterLatest.code);
  }
  for (const f of all) if (!mine.includes(f)) torchSave(join(dir, f), fileBody(f, req.states), torchFrames);
  sleepMs(req.saveMs / 2);
  print.out(
    `${dsLogPrefix("INFO", "torch_checkpoint_engine.py:33:commit")}[Torch] Checkpoint ${tag} is ready now!`
  );
  const latest = join(req.saveDir, "latest");
  asPython(latest, SAVE_FRAMES.latest(c), () => writeFileSync(latest, tag));
  const configs = join(dir, "configs");
  pyMakedirs(configs, SAVE_FRAMES.configsMakedirs(c));
  for (const f of req.configFiles) {
    const to = join(configs, basename(f.path));
    asPython(to, SAVE_FRAMES.configsOpen(c), () => writeFileSync(to, f.text));
  }
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
export function pruneCheckpoints(saveDir: string, keep: number, caller: SaveCaller): string[] {
  const dirs = readdirSync(saveDir)
    .map((n) => join(saveDir, n))
    .filter((p) => statSync(p).isDirectory() && /global_step\d*/.test(p))
    .sort(naturalCompare);
  const doomed = dirs.slice(0, Math.max(dirs.length - keep, 0));
  for (const d of doomed)
    asPython(d, SAVE_FRAMES.prune(caller), () => rmSync(d, { recursive: true, force: true }));
  return doomed;
}

import { parseArgs } from "./cli-args.ts";
import { PythonError } from "./config/python-error.ts";
import { loadNeoxConfig } from "./config/load-config.ts";
import type { LoadedConfig } from "./config/load-config.ts";
import { decodeTrainArgs } from "./config/train-args.ts";
import { checkDeepyLauncher } from "./deepy-check.ts";
import { FaultLedger, defaultStateFile, parseFaultPlan } from "./faults/faults.ts";
import { stdioPrinter } from "./output/printer.ts";
import { readRankEnv } from "./rank/rank-env.ts";
import { rcclNetLines } from "./rank/rccl-net.ts";
import { checkMasterAddr, follow, markDone, rankHost, rendezvousDir } from "./rank/rendezvous.ts";
import { runTraining } from "./train/run.ts";

const env = process.env;
const print = stdioPrinter;

function numberEnv(name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name}=${v} is not a number`);
  return n;
}

/** Uncaught Python exception: traceback on stderr, exit status 1. */
function dieLikePython(e: PythonError): never {
  for (const line of e.preamble) print.err(line);
  print.err("Traceback (most recent call last):");
  print.err('  File "/gpt-neox/train.py", line 34, in <module>');
  print.err("    main()");
  // deeper frames without their source line, as Python prints them when it cannot read the file
  for (const f of e.frames) print.err(`  File "${f.file}", line ${f.line}, in ${f.func}`);
  print.err(`${e.pyType}: ${e.message}`);
  process.exit(1);
}

function train(loaded: LoadedConfig, onDone: () => void): never {
  const faults = parseFaultPlan(env);
  const ledger = new FaultLedger(defaultStateFile(env, loaded.cfg.save, loaded.cfg.load, process.cwd()), env);
  const end = runTraining({
    cfg: loaded.cfg,
    configFiles: loaded.configFiles,
    dataImpl: loaded.dataImpl,
    hasData: loaded.hasData,
    stepMs: numberEnv("NEOX_EMU_STEP_MS", 50),
    saveMs: numberEnv("NEOX_EMU_SAVE_MS", 20),
    unstableLr: numberEnv("NEOX_EMU_UNSTABLE_LR", 2e-4),
    faults,
    ledger,
    env,
    print
  });
  switch (end.kind) {
    case "finished":
    case "exit_interval":
      onDone();
      process.exit(0);
  }
}

/** RCCL's network choice, as every rank prints it when its first communicator comes up (rank/rccl-net.ts). */
function printRcclNet(localRank: number): void {
  const nodeIndex = Number(env["SLURM_NODEID"] ?? "0");
  for (const line of rcclNetLines(env, {
    host: rankHost(env),
    pid: process.pid,
    localRank,
    nodeIndex: Number.isInteger(nodeIndex) ? nodeIndex : 0
  }))
    print.out(line);
}

/** One rank started by srun: rank 0 trains and logs; the others wait for it (see rendezvous.ts). */
function rank(loaded: LoadedConfig): never {
  const r = readRankEnv(env, loaded.plain["deepspeed_slurm"] === true);
  printRcclNet(r.localRank);
  const dir = rendezvousDir(env, r, process.cwd());
  if (r.rank === 0) {
    try {
      checkMasterAddr(env, r);
    } catch (e) {
      // the waiting ranks end with rank 0, as a failed rendezvous ends every rank
      markDone(dir, 1);
      throw e;
    }
    train(loaded, () => markDone(dir));
  }
  const faults = parseFaultPlan(env);
  const death =
    faults.rank_death !== null &&
    faults.rank_death.rank === r.rank &&
    new FaultLedger(defaultStateFile(env, loaded.cfg.save, loaded.cfg.load, process.cwd()), env).claim(
      "rank_death",
      r.rank
    )
      ? { afterMs: faults.rank_death.afterMs }
      : null;
  const code = follow(dir, death);
  if (code < 0) {
    print.err(`[rank${r.rank}]: RuntimeError: NCCL communicator was aborted on rank ${r.rank}.`);
    process.exit(1);
  }
  process.exit(code);
}

try {
  const args = parseArgs(process.argv.slice(2));
  switch (args.kind) {
    case "deepy": {
      print.out(`NeoXArgs.from_ymls() [${args.configs.map((c) => `'${c}'`).join(", ")}]`);
      const loaded = loadNeoxConfig(args.configs, args.overrides, env);
      print.out(
        `INFO:root:NeoXArgs.calculate_derived() Total number of GPUs determined to be: ${loaded.cfg.globalNumGpus}`
      );
      checkDeepyLauncher(loaded.launcher, env);
      printRcclNet(0);
      train(loaded, () => undefined);
      break;
    }
    case "train":
      rank(decodeTrainArgs(args, env));
  }
} catch (e) {
  if (e instanceof PythonError) dieLikePython(e);
  print.err(`neox-emulator: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

import { parseArgs } from "./cli-args.ts";
import { PythonError } from "./config/python-error.ts";
import { loadNeoxConfig } from "./config/load-config.ts";
import { FaultLedger, defaultStateFile, parseFaultPlan } from "./faults/faults.ts";
import { stdioPrinter } from "./output/printer.ts";
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

try {
  const args = parseArgs(process.argv.slice(2));
  print.out(`NeoXArgs.from_ymls() [${args.configs.map((c) => `'${c}'`).join(", ")}]`);
  const loaded = loadNeoxConfig(args.configs, args.overrides, env);
  print.out(
    `INFO:root:NeoXArgs.calculate_derived() Total number of GPUs determined to be: ${loaded.cfg.globalNumGpus}`
  );
  const faults = parseFaultPlan(env);
  const ledger = new FaultLedger(defaultStateFile(env, loaded.cfg.save, loaded.cfg.load, process.cwd()), env);
  const end = runTraining({
    cfg: loaded.cfg,
    configPaths: loaded.configPaths,
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
      process.exit(0);
  }
} catch (e) {
  if (e instanceof PythonError) dieLikePython(e);
  print.err(`neox-emulator: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

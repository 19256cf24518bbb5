import { writeFileSync, renameSync } from "node:fs";
import { PythonError } from "./config/python-error.ts";
import { loadNeoxConfig } from "./config/load-config.ts";
import { encodeTrainArgv } from "./config/train-args.ts";
import { stdioPrinter as print } from "./output/printer.ts";

/**
 * Stand-in for the plan's launch/deepy-argv.py: `OUT USER_SCRIPT CONFIG…` loads and validates the
 * configs as deepy.py would, then writes train.py's argv to OUT, one argument per line.
 */
try {
  const [out, userScript, ...configs] = process.argv.slice(2);
  if (out === undefined || userScript === undefined || configs.length === 0)
    throw new Error("usage: neox-deepy-argv OUT USER_SCRIPT CONFIG...");
  print.out(`NeoXArgs.from_ymls() [${configs.map((c) => `'${c}'`).join(", ")}]`);
  const loaded = loadNeoxConfig(configs, {}, process.env);
  print.out(
    `INFO:root:NeoXArgs.calculate_derived() Total number of GPUs determined to be: ${loaded.cfg.globalNumGpus}`
  );
  writeFileSync(`${out}.tmp`, encodeTrainArgv(userScript, loaded).join("\n") + "\n");
  renameSync(`${out}.tmp`, out);
} catch (e) {
  if (e instanceof PythonError) {
    for (const line of e.preamble) print.err(line);
    print.err("Traceback (most recent call last):");
    print.err(`${e.pyType}: ${e.message}`);
    process.exit(1);
  }
  print.err(`neox-deepy-argv: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

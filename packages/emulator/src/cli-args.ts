import type { CliOverrides } from "./config/load-config.ts";

/**
 * `deepy`: `train.py cfg1.yml … [--iteration N] [-H F] [-d D]`, as deepy.py takes them (one process
 * standing in for deepy and its ranks). `train`: `train.py --deepspeed_config B64 --megatron_config
 * B64`, what DeeperSpeed's runner passes to train.py on every rank.
 */
export type EmulatorArgs =
  | { kind: "deepy"; configs: string[]; overrides: CliOverrides }
  | { kind: "train"; deepspeedConfig: string; megatronConfig: string };

export function parseArgs(argv: readonly string[]): EmulatorArgs {
  const configs: string[] = [];
  const overrides: CliOverrides = {};
  let confDir: string | null = null;
  let ds: string | null = null;
  let megatron: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--iteration") overrides.iteration = Number.parseInt(next(), 10);
    else if (a === "-H" || a === "--hostfile") overrides.hostfile = next();
    else if (a === "-d" || a === "--conf_dir") confDir = next();
    else if (a === "--deepspeed_config") ds = next();
    else if (a === "--megatron_config") megatron = next();
    else if (a.endsWith(".py") && configs.length === 0)
      continue; // the user script (train.py)
    else if (a.startsWith("-")) throw new Error(`unrecognized arguments: ${a}`);
    else configs.push(a);
  }
  if (ds !== null || megatron !== null) {
    if (ds === null || megatron === null || configs.length > 0)
      throw new Error("train.py takes --deepspeed_config and --megatron_config, and no config files");
    return { kind: "train", deepspeedConfig: ds, megatronConfig: megatron };
  }
  if (configs.length === 0) throw new Error("the following arguments are required: conf_file");
  return { kind: "deepy", configs: confDir ? configs.map((c) => `${confDir}/${c}`) : configs, overrides };
}

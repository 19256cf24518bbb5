import type { CliOverrides } from "./config/load-config.ts";

export interface EmulatorArgs {
  configs: string[];
  overrides: CliOverrides;
}

/** `train.py cfg1.yml cfg2.yml … [--iteration N] [-H|--hostfile F] [-d|--conf_dir D]`, as deepy takes them. */
export function parseArgs(argv: readonly string[]): EmulatorArgs {
  const configs: string[] = [];
  const overrides: CliOverrides = {};
  let confDir: string | null = null;
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
    else if (a.endsWith(".py") && configs.length === 0)
      continue; // the user script (train.py)
    else if (a.startsWith("-")) throw new Error(`unrecognized arguments: ${a}`);
    else configs.push(a);
  }
  if (configs.length === 0) throw new Error("the following arguments are required: conf_file");
  return { configs: confDir ? configs.map((c) => `${confDir}/${c}`) : configs, overrides };
}

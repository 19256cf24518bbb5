import type { EmuConfig } from "./emu-config.ts";
import { deriveConfig } from "./derive.ts";
import { loadConfigFiles } from "./load-files.ts";
import { unwrapFloats } from "./pyyaml.ts";
import { checkTypes } from "./typecheck.ts";

export interface LoadedConfig {
  cfg: EmuConfig;
  configFiles: { path: string; text: string }[];
  /** merged values after overrides, before derivation (what --megatron_config carries) */
  plain: Record<string, unknown>;
  /** the `launcher` key (deepy's runner: pdsh by default) */
  launcher: string;
  dataImpl: string;
  hasData: boolean;
}

/** deepy's CLI overrides are written over the YAML values before validation. */
export interface CliOverrides {
  iteration?: number;
  hostfile?: string;
}

/** NeoXArgs.consume_deepy_args(): read, merge, reject unknown keys, type-check, derive, validate. */
export function loadNeoxConfig(
  paths: readonly string[],
  overrides: CliOverrides,
  env: NodeJS.ProcessEnv
): LoadedConfig {
  const { raw, files } = loadConfigFiles(paths);
  if (overrides.iteration !== undefined) raw["iteration"] = overrides.iteration;
  if (overrides.hostfile !== undefined) raw["hostfile"] = overrides.hostfile;
  checkTypes(raw);
  return fromPlainConfig(unwrapFloats(raw) as Record<string, unknown>, files, env);
}

/** The derived config from merged, type-checked values (from YAML files or a --megatron_config). */
export function fromPlainConfig(
  plain: Record<string, unknown>,
  files: { path: string; text: string }[],
  env: NodeJS.ProcessEnv
): LoadedConfig {
  const cfg = deriveConfig(plain, env);
  const hasData = plain["data_path"] != null || plain["train_data_paths"] != null;
  return {
    cfg,
    configFiles: files,
    launcher: String(plain["launcher"] ?? "pdsh").toLowerCase(),
    dataImpl: String(plain["data_impl"] ?? "infer").toLowerCase(),
    hasData,
    plain
  };
}

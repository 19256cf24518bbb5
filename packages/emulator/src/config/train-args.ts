import { basename } from "node:path";
import type { LoadedConfig } from "./load-config.ts";
import { fromPlainConfig } from "./load-config.ts";

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v), "utf8").toString("base64url");

// the DeepSpeed section NeoX hands to deepspeed.initialize (NeoXArgsDeepspeedConfig): batch, optimizer, precision, ZeRO
const DS_KEYS = [
  "train_batch_size",
  "train_micro_batch_size_per_gpu",
  "gradient_accumulation_steps",
  "optimizer",
  "scheduler",
  "fp16",
  "bf16",
  "zero_optimization",
  "gradient_clipping",
  "steps_per_print",
  "wall_clock_breakdown"
];

/**
 * train.py's argv as deepy.py passes it (NeoX `get_deepspeed_main_args`, launcher part removed):
 * the user script, `--deepspeed_config` and `--megatron_config`, each base64url JSON. The megatron
 * config carries the merged values with global_num_gpus already derived on the launch host, and the
 * config files' text (`config_files`), which NeoX saves into every checkpoint.
 */
export function encodeTrainArgv(userScript: string, loaded: LoadedConfig): string[] {
  const { plain, cfg } = loaded;
  const ds: Record<string, unknown> = {};
  for (const k of DS_KEYS) if (plain[k] !== undefined) ds[k] = plain[k];
  ds["train_batch_size"] = cfg.trainBatchSize;
  const megatron = {
    ...plain,
    global_num_gpus: cfg.globalNumGpus,
    config_files: Object.fromEntries(loaded.configFiles.map((f) => [basename(f.path), f.text]))
  };
  return [userScript, "--deepspeed_config", b64(ds), "--megatron_config", b64(megatron)];
}

function decode(name: string, value: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new Error(`${name} is not a base64 JSON object`);
  return parsed as Record<string, unknown>;
}

/** The other side, in train.py: NeoXArgs.consume_neox_args() from the two encoded configs. */
export function decodeTrainArgs(
  args: { deepspeedConfig: string; megatronConfig: string },
  env: NodeJS.ProcessEnv
): LoadedConfig {
  decode("--deepspeed_config", args.deepspeedConfig);
  const plain = decode("--megatron_config", args.megatronConfig);
  const files = plain["config_files"];
  delete plain["config_files"];
  const configFiles =
    files !== null && typeof files === "object"
      ? Object.entries(files as Record<string, unknown>).map(([path, text]) => ({ path, text: String(text) }))
      : [];
  return fromPlainConfig(plain, configFiles, env);
}

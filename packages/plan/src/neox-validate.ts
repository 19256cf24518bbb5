import { NEOX_KEYS, renderValue } from "@neoxctl/core";
import type { SpecIssue } from "@neoxctl/core";
import type { NeoxConfig, NeoxValue } from "./neox-yaml.ts";
import { PyFloat } from "./py-float.ts";
import { isDict, matchesPyType, numberOf } from "./neox-types.ts";

/** GPT-NeoX indexes blended datasets with a uint8 and asserts fewer than 255. */
export const MAX_BLEND_DATASETS = 254;

function show(value: NeoxValue | undefined): string {
  if (value instanceof PyFloat) return String(value.value);
  return renderValue(value);
}

/**
 * Re-checks a complete NeoX config (all files merged) against the rules NeoX enforces when it loads
 * it, so a mistake fails at plan time rather than after hours in the queue. `dataParallel` is the
 * dp size the config will run with (NeoX derives it from the hostfile).
 */
export function validateNeoxConfig(config: NeoxConfig, context: { dataParallel: number }): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const fail = (path: string, value: NeoxValue | undefined, rule: string): void => {
    issues.push({ path: `neox.${path}`, received: show(value), rule });
  };

  for (const [rawKey, value] of Object.entries(config)) {
    // NeoX turns hyphens into underscores in top-level keys before looking them up
    const key = rawKey.replace(/-/g, "_");
    const info = NEOX_KEYS[key];
    if (!info) {
      fail(rawKey, value, "is not a GPT-NeoX config key (NeoX refuses the whole config)");
      continue;
    }
    if (value === null ? info.default !== "None" : !matchesPyType(value, info.type)) {
      fail(rawKey, value, `does not match the NeoX type ${info.type.replace(/\s+/g, " ")}`);
    }
  }

  const num = (k: string): number | undefined => numberOf(config[k]);
  for (const k of [
    "num_layers",
    "hidden_size",
    "num_attention_heads",
    "max_position_embeddings",
    "seq_length",
    "train_iters"
  ]) {
    if (num(k) === undefined) fail(k, config[k], "is required");
  }

  const optimizer = config["optimizer"];
  const params = isDict(optimizer) ? optimizer["params"] : undefined;
  const lr = isDict(params) ? numberOf(params["lr"]) : undefined;
  if (!isDict(optimizer) || typeof optimizer["type"] !== "string" || !isDict(params)) {
    fail("optimizer", optimizer, "must be a dict with a string `type` and a dict `params`");
  } else if (!(params["lr"] instanceof PyFloat)) {
    fail("optimizer.params.lr", params["lr"], "must be a float: NeoX takes the LR from here, not from `lr`");
  }

  const zero = config["zero_optimization"];
  if (!isDict(zero) || typeof zero["stage"] !== "number") {
    fail(
      "zero_optimization",
      zero,
      "must be present with a `stage` (bf16 reads it before NeoX fills defaults)"
    );
  }

  const tbs = num("train_batch_size");
  const mbs = num("train_micro_batch_size_per_gpu");
  const gas = num("gradient_accumulation_steps") ?? 1;
  if (tbs === undefined || mbs === undefined) {
    fail(
      "train_batch_size",
      config["train_batch_size"],
      "and train_micro_batch_size_per_gpu must both be given"
    );
  } else if (tbs !== mbs * gas * context.dataParallel) {
    fail(
      "train_batch_size",
      tbs,
      `must equal micro ${mbs} × grad_accum ${gas} × dp ${context.dataParallel} = ${mbs * gas * context.dataParallel}`
    );
  }

  const hidden = num("hidden_size");
  const heads = num("num_attention_heads");
  const kvHeads = num("num_kv_heads") ?? heads;
  const mp = num("model_parallel_size") ?? 1;
  if (hidden !== undefined && heads !== undefined && hidden % heads !== 0)
    fail("hidden_size", hidden, `is not divisible by num_attention_heads ${heads}`);
  if (heads !== undefined && heads % mp !== 0)
    fail("num_attention_heads", heads, `is not divisible by model_parallel_size ${mp}`);
  if (kvHeads !== undefined && kvHeads % mp !== 0)
    fail("num_kv_heads", kvHeads, `is not divisible by model_parallel_size ${mp}`);
  if (heads !== undefined && kvHeads !== undefined && heads % kvHeads !== 0)
    fail("num_attention_heads", heads, `is not divisible by num_kv_heads ${kvHeads}`);

  const maxPos = num("max_position_embeddings");
  const seq = num("seq_length");
  if (maxPos !== undefined && seq !== undefined && maxPos < seq)
    fail("max_position_embeddings", maxPos, `must be >= seq_length ${seq}`);
  const minLr = num("min_lr") ?? 0;
  if (lr !== undefined && minLr > lr)
    fail("min_lr", config["min_lr"], `must be <= optimizer.params.lr ${lr}`);

  if (
    config["save"] !== undefined &&
    config["checkpoint_factor"] === undefined &&
    config["extra_save_iters"] === undefined
  ) {
    fail("save", config["save"], "needs checkpoint_factor or extra_save_iters");
  }

  checkData(config, fail);
  return issues;
}

function checkData(
  config: NeoxConfig,
  fail: (path: string, value: NeoxValue | undefined, rule: string) => void
): void {
  const splits = ["train", "valid", "test"] as const;
  const given = splits.filter((s) => config[`${s}_data_paths`] !== undefined);
  if (given.length !== 0 && given.length !== 3)
    fail(
      "train_data_paths",
      config["train_data_paths"],
      "valid_data_paths and test_data_paths: give all three or none"
    );
  for (const split of splits) {
    const paths = config[`${split}_data_paths`];
    const weights = config[`${split}_data_weights`];
    if (Array.isArray(paths) && paths.length > MAX_BLEND_DATASETS)
      fail(
        `${split}_data_paths`,
        paths.length,
        `has more than ${MAX_BLEND_DATASETS} datasets (NeoX's blend limit)`
      );
    if (Array.isArray(paths) && Array.isArray(weights) && paths.length !== weights.length) {
      fail(`${split}_data_weights`, weights.length, `must have one weight per path (${paths.length})`);
    }
  }
  if (given.length > 0 && config["data_impl"] !== "mmap")
    fail(
      "data_impl",
      config["data_impl"],
      'must be "mmap" (the default "infer" makes NeoX build no dataset)'
    );
}

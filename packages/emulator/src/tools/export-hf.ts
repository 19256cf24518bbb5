import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * Stand-in for NeoX's `tools/ckpts/convert_neox_to_hf.py` (EleutherAI/gpt-neox at
 * 00af9831718ddb3aa4a02c40081bc955bdf50f1c) on the local cluster.
 *
 * Real behaviour kept: the command line (`--input_dir <save>/global_stepN --config_file <neox.yml>
 * --output_dir DIR --precision auto|fp16|bf16|fp32 --architecture neox|llama|mistral`); the config is
 * read with keys spelt with `-` or `_`; `pipe_parallel_size` 0 means one
 * `mp_rank_XX_model_states.pt` per tensor-parallel rank in the input directory; a missing input or
 * config fails; the output directory gets `config.json`, the weights and, for an HFTokenizer config,
 * the tokenizer (copied from `vocab_file`).
 * Known differences: no tensors are merged; the weights file is a tiny valid safetensors file.
 */
export class ExportError extends Error {}

const ARCHITECTURES = ["neox", "llama", "mistral"];
const PRECISIONS = ["auto", "fp16", "bf16", "fp32"];

function key(config: Record<string, unknown>, name: string): unknown {
  return config[name] ?? config[name.replaceAll("-", "_")];
}

/** A safetensors file holding one small tensor: 8-byte header length, JSON header, data. */
function tinySafetensors(): Buffer {
  const data = Buffer.alloc(16);
  const header = Buffer.from(
    JSON.stringify({ "model.norm.weight": { dtype: "BF16", shape: [8], data_offsets: [0, 16] } })
  );
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, data]);
}

export interface ExportArgs {
  inputDir: string;
  configFile: string;
  outputDir: string;
  precision: string;
  architecture: string;
}

export function exportToHf(a: ExportArgs): string[] {
  if (!PRECISIONS.includes(a.precision))
    throw new ExportError(`expected --precision to be one of ${PRECISIONS.join(", ")}`);
  if (!ARCHITECTURES.includes(a.architecture))
    throw new ExportError(`expected --architecture to be one of ${ARCHITECTURES.join(", ")}`);
  if (!existsSync(a.configFile)) throw new ExportError(`No such file or directory: '${a.configFile}'`);
  const config = (parse(readFileSync(a.configFile, "utf8")) ?? {}) as Record<string, unknown>;
  const pp = Number(key(config, "pipe-parallel-size") ?? 1);
  const tp = Number(key(config, "model-parallel-size") ?? 1);
  const wanted =
    pp === 0
      ? Array.from({ length: tp }, (_, r) => `mp_rank_${String(r).padStart(2, "0")}_model_states.pt`)
      : [];
  if (!existsSync(a.inputDir)) throw new ExportError(`No such file or directory: '${a.inputDir}'`);
  const present = new Set(readdirSync(a.inputDir));
  for (const f of wanted)
    if (!present.has(f)) throw new ExportError(`No such file or directory: '${join(a.inputDir, f)}'`);
  mkdirSync(a.outputDir, { recursive: true });
  const hf = {
    architectures: [a.architecture === "llama" ? "LlamaForCausalLM" : "GPTNeoXForCausalLM"],
    model_type: a.architecture === "llama" ? "llama" : "gpt_neox",
    hidden_size: key(config, "hidden-size"),
    num_hidden_layers: key(config, "num-layers"),
    num_attention_heads: key(config, "num-attention-heads"),
    num_key_value_heads: key(config, "num-kv-heads") ?? key(config, "num-attention-heads"),
    intermediate_size: key(config, "intermediate-size"),
    torch_dtype:
      a.precision === "auto"
        ? "bfloat16"
        : { fp16: "float16", bf16: "bfloat16", fp32: "float32" }[a.precision]
  };
  const written = [join(a.outputDir, "config.json"), join(a.outputDir, "model.safetensors")];
  writeFileSync(written[0]!, JSON.stringify(hf, null, 2) + "\n");
  writeFileSync(written[1]!, tinySafetensors());
  const vocab = key(config, "vocab-file");
  if (key(config, "tokenizer-type") === "HFTokenizer" && typeof vocab === "string" && existsSync(vocab)) {
    const t = join(a.outputDir, "tokenizer.json");
    copyFileSync(vocab, t);
    written.push(t);
  }
  return written;
}

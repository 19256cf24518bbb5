import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ModelArchitecture } from "@neoxctl/core";

/** Llama 3's special tokens: its end of text is `<|end_of_text|>`, not NeoX's `<|endoftext|>`. */
export const LLAMA3_SPECIAL_TOKENS: Readonly<Record<string, number>> = {
  "<|begin_of_text|>": 128000,
  "<|end_of_text|>": 128001
};

/**
 * A small Hugging Face model directory for the local cluster: config.json with the preset's shape,
 * a tokenizer.json (a few words plus the given special tokens) and a tiny weights file. What the
 * convert stand-in and `neoxctl plan`'s end-of-document check read.
 */
export function writeHfModelFixture(
  dir: string,
  arch: ModelArchitecture,
  specialTokens: Readonly<Record<string, number>> = LLAMA3_SPECIAL_TOKENS
): void {
  mkdirSync(dir, { recursive: true });
  const config = {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    hidden_size: arch.hidden_size,
    num_hidden_layers: arch.num_layers,
    num_attention_heads: arch.num_attention_heads,
    num_key_value_heads: arch.num_kv_heads,
    intermediate_size: arch.intermediate_size,
    vocab_size: arch.vocab_size
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n");
  const words = ["the", "a", "of", "and", "to", "in", "is", "data", "model", "language"];
  const tokenizer = {
    version: "1.0",
    added_tokens: Object.entries(specialTokens).map(([content, id]) => ({ id, content, special: true })),
    model: { type: "BPE", vocab: Object.fromEntries(words.map((w, i) => [w, i])), merges: [] }
  };
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizer) + "\n");
  writeFileSync(join(dir, "model.safetensors"), Buffer.from("neoxctl hf fixture weights\n"));
}

/** A JSONL corpus of `docs` short documents (key `text`), as preprocess_data reads it. */
export function writeRawCorpus(path: string, docs: number, seed = 1): void {
  mkdirSync(dirname(path), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < docs; i++) {
    const n = 5 + ((i * 7 + seed * 13) % 23);
    const words = Array.from({ length: n }, (_, j) => `w${(i * 31 + j * 17 + seed) % 997}`);
    lines.push(JSON.stringify({ text: words.join(" ") }));
  }
  writeFileSync(path, lines.join("\n") + "\n");
}

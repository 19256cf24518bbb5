import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { writeConvertedCheckpoint } from "./convert-hf.ts";

// usage: convert-hf-llama.js --tp N [--pp 0] [--model HF_DIR] --model_path DIR
// (the flags of NeoX's tools/ckpts/convert_hf_llama_to_neox.py, EleutherAI/gpt-neox at 0263264b)
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = flag("--model_path");
const tp = Number(flag("--tp") ?? "1");
const pp = Number(flag("--pp") ?? "0");
const model = flag("--model");
if (!dir || !Number.isInteger(tp) || tp < 1) {
  console.error("usage: convert-hf-llama.js --tp N [--pp 0] [--model HF_DIR] --model_path DIR");
  process.exit(2);
}
// the real tool asserts pp == 0 and loads the model with from_pretrained, which fails without config.json
if (pp !== 0) {
  console.error("AssertionError: Pipeline parallelism not supported yet");
  process.exit(1);
}
if (model !== undefined && !existsSync(join(model, "config.json"))) {
  console.error(`OSError: ${model} does not appear to have a file named config.json.`);
  process.exit(1);
}
const files = writeConvertedCheckpoint(dir, tp);
// the real tool saves the model's tokenizer under <model_path>/tokenizer
if (model !== undefined && existsSync(join(model, "tokenizer.json")))
  copyFileSync(join(model, "tokenizer.json"), join(dir, "tokenizer", "tokenizer.json"));
console.log(
  `wrote a converted NeoX checkpoint (tp=${tp}) to ${dir}: ${files.length} model-states file(s), latest=0`
);

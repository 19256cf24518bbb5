import { writeConvertedCheckpoint } from "./convert-hf.ts";

// usage: convert-hf-llama.js --tp N --model_path DIR  (the flags NeoX's converter takes that matter here)
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = flag("--model_path");
const tp = Number(flag("--tp") ?? "1");
if (!dir || !Number.isInteger(tp) || tp < 1) {
  console.error("usage: convert-hf-llama.js --tp N --model_path DIR");
  process.exit(2);
}
const files = writeConvertedCheckpoint(dir, tp);
console.log(
  `wrote a converted NeoX checkpoint (tp=${tp}) to ${dir}: ${files.length} model-states file(s), latest=0`
);

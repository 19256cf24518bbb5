import { ExportError, exportToHf } from "./export-hf.ts";

// usage: export-hf.js --input_dir DIR --config_file YML --output_dir DIR [--precision P] [--architecture A]
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const inputDir = flag("--input_dir");
const configFile = flag("--config_file");
const outputDir = flag("--output_dir");
if (!inputDir || !configFile || !outputDir) {
  console.error("usage: export-hf.js --input_dir DIR --config_file YML --output_dir DIR");
  process.exit(2);
}
try {
  const files = exportToHf({
    inputDir,
    configFile,
    outputDir,
    precision: flag("--precision") ?? "auto",
    architecture: flag("--architecture") ?? "neox"
  });
  console.log(`wrote ${files.length} files to ${outputDir}`);
} catch (err) {
  if (!(err instanceof ExportError)) throw err;
  console.error(`FileNotFoundError/AssertionError: ${err.message}`);
  process.exit(1);
}

import { readFileSync, statSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parseDocument } from "yaml";
import { parseDataManifest } from "@neoxctl/core";
import { scanManifest } from "@neoxctl/plan";
import type { ScannedDataset } from "@neoxctl/plan";
import { printJson, printText, runAction } from "../output.ts";

interface ScanOptions {
  json?: boolean;
  dryRun?: boolean;
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function sizeOrUndefined(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

function line(s: ScannedDataset): string {
  return "problem" in s.result
    ? `  ${s.prefix}: NOT MEASURED (${s.result.problem}); declared ${s.declaredTokens} tokens kept`
    : `  ${s.prefix}: ${s.result.tokens} tokens, ${s.result.documents} documents (declared ${s.declaredTokens})`;
}

export function register(program: Command): void {
  const data = program.command("data").description("Inspect and measure the data a run trains on");
  data
    .command("scan")
    .description(
      "Measure token and document counts from the tokenized .idx files and write them into the manifest"
    )
    .argument("<manifest>", "data manifest YAML (datasets with NeoX prefixes)")
    .option("--json", "print the measurements as JSON")
    .option("--dry-run", "measure only; leave the manifest unchanged")
    .action(async (manifestArg: string, opts: ScanOptions) =>
      runAction(opts.json === true, async () => {
        const path = resolve(manifestArg);
        const text = await readFile(path, "utf8");
        const manifest = parseDataManifest(text, path);
        const scanned = scanManifest(manifest, { read: readOrUndefined, size: sizeOrUndefined });
        const measured = scanned.filter((s) => !("problem" in s.result));
        const all = measured.length === scanned.length;
        if (opts.dryRun !== true && measured.length > 0) {
          // the YAML document keeps the file's comments and layout; only the counts change
          const doc = parseDocument(text);
          for (const s of measured) {
            if ("problem" in s.result) continue;
            doc.setIn(["datasets", s.index, "tokens"], s.result.tokens);
            doc.setIn(["datasets", s.index, "documents"], s.result.documents);
          }
          doc.set("counts", all ? "measured" : "declared");
          const tmp = `${path}.tmp-${process.pid}`;
          await writeFile(tmp, doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
          await rename(tmp, path);
        }
        const counts = all ? "measured" : "declared";
        if (opts.json === true)
          printJson({
            manifest: path,
            counts,
            written: opts.dryRun !== true && measured.length > 0,
            datasets: scanned
          });
        else
          printText(
            [
              `${path}: ${measured.length} of ${scanned.length} datasets measured; counts: ${counts}${opts.dryRun === true ? " (dry run, not written)" : ""}`,
              ...scanned.map(line),
              ""
            ].join("\n")
          );
        if (!all) process.exitCode = 1;
      })
    );
}

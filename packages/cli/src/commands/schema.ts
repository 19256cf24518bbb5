import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { specJsonSchemas } from "@neoxctl/core";
import { printLine, runAction } from "../output.ts";

export function register(program: Command): void {
  program
    .command("schema")
    .description(
      "Write the JSON Schemas of the run spec, cluster profile and data manifest (for editor autocompletion)"
    )
    .option("--out <dir>", "directory to write into", "schemas")
    .action(async (opts: { out: string }) =>
      runAction(false, async () => {
        const dir = resolve(opts.out);
        await mkdir(dir, { recursive: true });
        for (const [name, text] of Object.entries(specJsonSchemas())) {
          await writeFile(join(dir, name), text);
          printLine(`wrote ${join(dir, name)}`);
        }
      })
    );
}

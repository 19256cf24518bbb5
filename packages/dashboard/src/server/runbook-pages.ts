import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * docs/runbook from the source tree (packages/dashboard/src/server → repo root), or from the CLI
 * bundle (dist/lib/commands → dist/docs/runbook, copied by scripts/build-cli.ts).
 */
const CANDIDATES = [
  join(here, "..", "..", "..", "..", "docs", "runbook"),
  join(here, "..", "..", "docs", "runbook")
];

export function runbookDir(): string | undefined {
  return CANDIDATES.find((d) => existsSync(d));
}

/** The runbook pages by name (file name without `.md`); empty when the docs are not shipped. */
export async function loadRunbookPages(): Promise<Map<string, string>> {
  const dir = runbookDir();
  const out = new Map<string, string>();
  if (!dir) return out;
  for (const f of await readdir(dir)) {
    const m = /^([a-z0-9_]+)\.md$/.exec(f);
    if (m?.[1]) out.set(m[1], await readFile(join(dir, f), "utf8"));
  }
  return out;
}

import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Test data committed beside the code (always present). */
export const FIXTURES_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(FIXTURES_DIR, "../../../..");

/**
 * The shared reference checkout is not part of the repo: CI clones it next to the repo
 * (`../shared/reference`), engineers have it at /work/shared/reference. Null when absent, so tests
 * that need the full curves can skip with a message instead of failing.
 */
export function referenceDir(): string | null {
  const env = process.env["NEOXCTL_REFERENCE_DIR"];
  const candidates = [env, "../shared/reference", "/work/shared/reference"].filter(
    (c): c is string => typeof c === "string" && c !== ""
  );
  for (const c of candidates) {
    const p = isAbsolute(c) ? c : resolve(REPO_ROOT, c);
    if (existsSync(resolve(p, "losslogs"))) return p;
  }
  return null;
}

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Test data committed beside the code (always present; sources and licences in README.md). */
export const FIXTURES_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(FIXTURES_DIR, "../../../..");

/**
 * The complete clean curves (Pythia-410M seed 8, llm.c GPT-2 124M) at full length, for the tests
 * and the detector comparison that must see every point; `csv/` and `raw/` hold reduced copies
 * that the fast tests use.
 */
export const FULL_DIR = join(FIXTURES_DIR, "full");

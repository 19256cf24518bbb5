import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The CLI package's directory: the nearest one above this module whose package.json is the
 * `neoxctl` package. Found by walking up because this code runs from src/ (tsx), from dist/ and
 * from a chunk in dist/lib/chunks/, and from an installed copy of the package.
 */
function cliPackageDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "neoxctl"
    )
      return dir;
    if (dirname(dir) === dir) throw new Error("neoxctl: cannot find the neoxctl package directory");
  }
}

export const CLI_DIR = cliPackageDir();

/** The neoxctl repository the CLI runs from, or null when it runs from an installed package. */
export const CHECKOUT_ROOT: string | null =
  basename(dirname(CLI_DIR)) === "packages" &&
  existsSync(join(CLI_DIR, "..", "emulator", "bin", "neox-emulator.js"))
    ? resolve(CLI_DIR, "..", "..")
    : null;

/** Where bare cluster names are looked up: the checkout's clusters/, else the copies in dist/. */
export const CLUSTERS_DIR =
  CHECKOUT_ROOT !== null ? join(CHECKOUT_ROOT, "clusters") : join(CLI_DIR, "dist", "clusters");

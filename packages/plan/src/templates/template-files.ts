import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A file every complete templates folder has; it tells the folder apart from any other `templates`. */
const MARKER = join("slurm", "job.sbatch");

/**
 * The templates folder: `NEOXCTL_TEMPLATES_DIR` when set, else the nearest `templates/` above this
 * module. Found by walking up because the code runs from a checkout's sources (repo/templates), from
 * the CLI's bundle (packages/cli/dist/templates, copied by the build) and from an installed copy.
 */
export function templatesDir(): string {
  const env = process.env["NEOXCTL_TEMPLATES_DIR"];
  if (env !== undefined && env !== "") return env;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "templates", MARKER))) return join(dir, "templates");
    if (dirname(dir) === dir)
      throw new Error(`neoxctl: no templates folder (with ${MARKER}) above this module`);
  }
}

const texts = new Map<string, string>();

/**
 * The text of `templates/<rel>`, read once per process. The renderers stay deterministic: the same
 * template, plan and attempt give the same bytes; the golden files pin the result.
 */
export function templateText(rel: string): string {
  let text = texts.get(rel);
  if (text === undefined) {
    text = readFileSync(join(templatesDir(), rel), "utf8");
    texts.set(rel, text);
  }
  return text;
}

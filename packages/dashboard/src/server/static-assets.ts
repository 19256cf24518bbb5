import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface StaticAsset {
  body: string;
  type: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Files served under /static: the hand-written client scripts and uPlot from node_modules. */
export async function loadStaticAssets(): Promise<Map<string, StaticAsset>> {
  const require = createRequire(import.meta.url);
  const uplotDir = dirname(require.resolve("uplot"));
  const clientDir = join(here, "..", "..", "client");
  const files: [string, string, string][] = [
    ["live.js", join(clientDir, "live.js"), "text/javascript"],
    ["run.js", join(clientDir, "run.js"), "text/javascript"],
    ["uplot/uPlot.iife.min.js", join(uplotDir, "uPlot.iife.min.js"), "text/javascript"],
    ["uplot/uPlot.min.css", join(uplotDir, "uPlot.min.css"), "text/css"]
  ];
  const out = new Map<string, StaticAsset>();
  for (const [name, path, type] of files)
    out.set(name, { body: await readFile(path, "utf8"), type: `${type}; charset=utf-8` });
  return out;
}

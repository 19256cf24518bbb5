import { spawnSync } from "node:child_process";

/**
 * Problems with a rendered batch script's shape: bash must parse it, and the #SBATCH block (which
 * sbatch reads up to the first command) must be nothing but options, so no value escaped its line.
 */
export function sbatchShapeProblems(script: string): string[] {
  const problems: string[] = [];
  const syntax = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
  if (syntax.status !== 0) problems.push(`bash -n: ${syntax.stderr.trim()}`);
  const lines = script.split("\n");
  const end = lines.indexOf("set -euo pipefail");
  if (lines[0] !== "#!/bin/bash" || end < 0) problems.push("header or set -euo pipefail missing");
  for (const line of lines.slice(2, end)) {
    if (!/^#SBATCH --[a-z][a-z-]*(=\S+)?$/.test(line))
      problems.push(`not an option line in the #SBATCH block: ${JSON.stringify(line)}`);
  }
  return problems;
}

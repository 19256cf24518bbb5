import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseClusterProfile, parseDataManifest, parseRunSpec } from "@neoxctl/core";
import type { PlanInput } from "./types.ts";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function read(rel: string): string {
  return readFileSync(join(REPO, rel), "utf8");
}

/** The committed EMMA-500 example on LUMI, with a fixed run directory so output is comparable. */
export function emmaInput(edit: (yaml: string) => string = (y) => y): PlanInput {
  return {
    spec: parseRunSpec(edit(read("examples/emma500-llama3-8b.yaml")), "emma500-llama3-8b.yaml"),
    profile: parseClusterProfile(read("clusters/lumi.yaml"), "lumi.yaml"),
    manifest: parseDataManifest(read("examples/data/emma500-manifest.yaml"), "emma500-manifest.yaml"),
    runDir: "/scratch/project_462000000/emma500/runs/emma500-llama3-8b"
  };
}

export function localInput(edit: (yaml: string) => string = (y) => y): PlanInput {
  const spec = parseRunSpec(edit(read("examples/local-demo.yaml")), "local-demo.yaml");
  return {
    spec,
    profile: parseClusterProfile(read("clusters/local.yaml"), "local.yaml"),
    manifest: spec.data.inline!,
    repoRoot: "/opt/neoxctl",
    runDir: "/tmp/neoxctl-demo/runs/local-demo"
  };
}

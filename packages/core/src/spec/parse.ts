import type { z } from "zod";
import { SpecError } from "../errors/index.ts";
import { loadYaml } from "./yaml-source.ts";
import { toSpecIssues } from "./zod-issues.ts";
import { RunSpecSchema } from "./run-spec.ts";
import type { RunSpec } from "./run-spec.ts";
import { ClusterProfileSchema } from "./cluster-profile.ts";
import type { ClusterProfile } from "./cluster-profile.ts";
import { DataManifestSchema } from "./data.ts";
import type { DataManifest } from "./data.ts";

export function parseWith<T>(schema: z.ZodType<T>, yamlText: string, sourceName: string): T {
  const source = loadYaml(yamlText, sourceName);
  const result = schema.safeParse(source.data);
  if (result.success) return result.data;
  throw new SpecError("SPEC_INVALID", toSpecIssues(result.error, source), sourceName);
}

/** Parses and validates a run spec; throws SpecError listing every problem found. */
export function parseRunSpec(yamlText: string, sourceName: string): RunSpec {
  return parseWith(RunSpecSchema, yamlText, sourceName);
}

export function parseClusterProfile(yamlText: string, sourceName: string): ClusterProfile {
  return parseWith(ClusterProfileSchema, yamlText, sourceName);
}

export function parseDataManifest(yamlText: string, sourceName: string): DataManifest {
  return parseWith(DataManifestSchema, yamlText, sourceName);
}

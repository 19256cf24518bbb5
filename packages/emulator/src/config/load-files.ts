import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { PythonError } from "./python-error.ts";
import { parsePyYaml } from "./pyyaml.ts";

export interface LoadedFiles {
  /** merged top-level config, keys normalised (hyphens → underscores), floats still wrapped */
  raw: Record<string, unknown>;
  /** file path → text, saved verbatim into each checkpoint's configs/ */
  files: { path: string; text: string }[];
}

/** NeoX appends `.yml` to a config name that has neither suffix. */
function normaliseConfigPath(p: string): string {
  return p.endsWith(".yml") || p.endsWith(".json") ? p : `${p}.yml`;
}

/**
 * Merge config files the way NeoXArgs.from_ymls does, including its asymmetric duplicate check:
 * the raw key is tested against the already-normalised dict.
 */
export function loadConfigFiles(paths: readonly string[]): LoadedFiles {
  const raw: Record<string, unknown> = {};
  const files: { path: string; text: string }[] = [];
  const seenNames = new Set<string>();
  for (const given of paths) {
    const path = normaliseConfigPath(given);
    const name = basename(path);
    if (seenNames.has(name)) {
      throw new PythonError(
        "AssertionError",
        `At least two config files have the same filename. This will result in conflicts when saving out configs with the checkpoint in one single directory. Please use unique names for configs.`
      );
    }
    seenNames.add(name);
    const text = readFileSync(path, "utf8");
    files.push({ path, text });
    const doc = parsePyYaml(text, path);
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== "object" || Array.isArray(doc)) {
      throw new PythonError(
        "TypeError",
        `'${Array.isArray(doc) ? "list" : typeof doc}' object is not a mapping (${path})`
      );
    }
    for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
      if (key in raw) {
        throw new PythonError(
          "ValueError",
          `Conf file ${path} has the following duplicate keys with previously loaded file: ${key}`
        );
      }
      raw[key.replace(/-/g, "_")] = value;
    }
  }
  return { raw, files };
}

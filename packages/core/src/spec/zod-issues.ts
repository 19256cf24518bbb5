import type { z } from "zod";
import type { SpecIssue } from "../errors/index.ts";
import type { YamlSource } from "./yaml-source.ts";

/** Renders a received value for a one-line message; long values are cut so a message stays readable. */
export function renderValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

// a key that is empty or holds dots, spaces or brackets is quoted, so no field path reads as "" (the root)
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

export function dottedPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) =>
      typeof p === "number"
        ? `[${p}]`
        : PLAIN_KEY.test(String(p))
          ? String(p)
          : `[${JSON.stringify(String(p))}]`
    )
    .join(".")
    .replace(/\.\[/g, "[");
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** Turns every zod issue into a SpecIssue: path, the value found there, the rule, and a position. */
export function toSpecIssues(error: z.core.$ZodError, source: YamlSource): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const pos = source.positionOf(path);
        out.push({
          path: dottedPath(path),
          received: renderValue(valueAt(source.data, path)),
          rule: "is not a known field here (check the spelling; the JSON Schema lists every field)",
          ...pos
        });
      }
      continue;
    }
    const pos = source.positionOf(issue.path);
    out.push({
      path: dottedPath(issue.path),
      received: renderValue(valueAt(source.data, issue.path)),
      rule: lowerFirst(issue.message),
      ...pos
    });
  }
  return out;
}

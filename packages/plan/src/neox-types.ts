import { PyFloat } from "./py-float.ts";
import type { NeoxValue } from "./neox-yaml.ts";

/**
 * Whether a value would pass NeoX's `validate_types` for a field declared with `pyType` (the type
 * text from neox_args.py). Literals compare case-insensitively and ints pass for floats, as in NeoX.
 */
export function matchesPyType(value: NeoxValue, pyType: string): boolean {
  const t = pyType.replace(/\s+/g, " ").trim();
  if (t === "Any") return true;
  const optional = /^Optional\[(.*)\]$/.exec(t);
  if (optional) return value === null || matchesPyType(value, optional[1]!);
  const literal = /^Literal\[(.*)\]$/.exec(t);
  if (literal) {
    const options = [...literal[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!.toLowerCase());
    return typeof value === "string" && options.includes(value.toLowerCase());
  }
  const union = /^Union\[(.*)\]$/.exec(t);
  if (union) return splitTopLevel(union[1]!).some((member) => matchesPyType(value, member));
  if (/^List\[/.test(t)) return Array.isArray(value);
  switch (t) {
    case "int":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "float":
      return value instanceof PyFloat || (typeof value === "number" && Number.isSafeInteger(value));
    case "bool":
      return typeof value === "boolean";
    case "str":
      return typeof value === "string";
    case "dict":
      return isDict(value);
    case "list":
      return Array.isArray(value);
    default:
      return false;
  }
}

export function isDict(value: NeoxValue | undefined): value is { readonly [key: string]: NeoxValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof PyFloat);
}

export function numberOf(value: NeoxValue | undefined): number | undefined {
  if (value instanceof PyFloat) return value.value;
  return typeof value === "number" ? value : undefined;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== "") parts.push(last);
  return parts;
}

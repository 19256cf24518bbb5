import { PyFloat, formatPyFloat } from "./py-float.ts";

/** Values a NeoX config may hold; floats are PyFloat so they are never written as ints or `1e-4`. */
export type NeoxValue =
  string | number | boolean | null | PyFloat | readonly NeoxValue[] | { readonly [key: string]: NeoxValue };
export type NeoxConfig = Readonly<Record<string, NeoxValue>>;

// JSON leaves these unescaped, but PyYAML folds NEL and the line/paragraph separators inside a quoted
// scalar and refuses DEL, the C1 controls and the non-characters, so a path holding one would change
const PYYAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** A YAML double-quoted scalar that PyYAML reads back as exactly `value`. */
function yamlString(value: string): string {
  return JSON.stringify(value).replace(
    PYYAML_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  );
}

function scalar(value: NeoxValue, where: string): string | undefined {
  if (value === null) return "null";
  if (value instanceof PyFloat) return formatPyFloat(value.value);
  switch (typeof value) {
    case "string":
      return yamlString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      // an unmarked non-integer would be a float typed by accident: refuse instead of guessing
      if (!Number.isSafeInteger(value))
        throw new TypeError(`${where}: ${value} is not an integer; wrap floats in pyFloat()`);
      return String(value);
    case "object":
    case "bigint":
    case "function":
    case "symbol":
    case "undefined":
      return undefined;
  }
}

function inline(value: NeoxValue, where: string): string {
  const s = scalar(value, where);
  if (s !== undefined) return s;
  if (Array.isArray(value))
    return `[${value.map((v: NeoxValue, i: number) => inline(v, `${where}[${i}]`)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, NeoxValue>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v, `${where}.${k}`)}`).join(", ")}}`;
}

/** Long lists (data paths and weights) go one item per line so diffs between plans stay readable. */
const LIST_BREAK = 4;

/**
 * Writes a NeoX config as a YAML flow mapping (the JSON-with-comments style NeoX's own configs use),
 * one top-level key per line, keys in insertion order. Output is a pure function of the input.
 */
export function renderNeoxYaml(config: NeoxConfig, header: readonly string[] = []): string {
  const lines: string[] = header.map((h) => `# ${h}`);
  lines.push("{");
  const entries = Object.entries(config);
  entries.forEach(([key, value], index) => {
    const comma = index < entries.length - 1 ? "," : "";
    if (Array.isArray(value) && value.length > LIST_BREAK) {
      lines.push(`  ${JSON.stringify(key)}: [`);
      value.forEach((item: NeoxValue, i: number) => {
        lines.push(`    ${inline(item, `${key}[${i}]`)}${i < value.length - 1 ? "," : ""}`);
      });
      lines.push(`  ]${comma}`);
    } else {
      lines.push(`  ${JSON.stringify(key)}: ${inline(value, key)}${comma}`);
    }
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

import { parseDocument } from "yaml";
import type { ScalarTag } from "yaml";

/**
 * NeoX reads configs with PyYAML (YAML 1.1). Its resolvers differ from the `yaml` package's 1.1
 * schema: a float needs a `.` and a signed exponent (`1e-4` and `1.0e4` stay strings), and `y`/`n`
 * are not booleans. Floats are wrapped so type checks can tell `100.0` (float) from `100` (int).
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

const FLOAT_TAG = "tag:yaml.org,2002:float";
const BOOL_TAG = "tag:yaml.org,2002:bool";

const pyFloat: ScalarTag = {
  identify: (v) => v instanceof PyFloat,
  default: true,
  tag: FLOAT_TAG,
  test: /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve(src: string): PyFloat {
    const s = src.replace(/_/g, "");
    if (/nan/i.test(s)) return new PyFloat(NaN);
    if (/inf/i.test(s)) return new PyFloat(s.startsWith("-") ? -Infinity : Infinity);
    return new PyFloat(Number.parseFloat(s));
  }
};

const pyTrue: ScalarTag = {
  identify: (v) => v === true,
  default: true,
  tag: BOOL_TAG,
  test: /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/,
  resolve: () => true
};
const pyFalse: ScalarTag = {
  identify: (v) => v === false,
  default: true,
  tag: BOOL_TAG,
  test: /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/,
  resolve: () => false
};

/** Parse one file's text as PyYAML's FullLoader would; duplicate keys inside a file: last wins. */
export function parsePyYaml(text: string, fileName: string): unknown {
  const doc = parseDocument(text, {
    version: "1.1",
    uniqueKeys: false,
    customTags: (tags) =>
      tags
        .filter((t) => {
          const tag = (t as { tag?: string }).tag;
          return tag !== FLOAT_TAG && tag !== BOOL_TAG;
        })
        .concat([pyFloat, pyTrue, pyFalse])
  });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new Error(`yaml.scanner.ScannerError in "${fileName}": ${first?.message ?? "parse error"}`);
  }
  return doc.toJS();
}

/** Replace PyFloat wrappers by plain numbers, recursively. */
export function unwrapFloats(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(unwrapFloats);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapFloats(x)]));
  }
  return v;
}

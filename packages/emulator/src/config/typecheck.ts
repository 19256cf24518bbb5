import { NEOX_KEYS } from "@neoxctl/core";
import { PythonError } from "./python-error.ts";
import { PyFloat } from "./pyyaml.ts";

/** The Python type NeoX would see for a YAML value. */
function pyTypeOf(v: unknown): string {
  if (v instanceof PyFloat) return "float";
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  return "dict";
}

/** Split a type string's top-level comma-separated arguments: "int, List[int]" → ["int","List[int]"]. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "[") depth++;
    if (ch === "]") depth--;
    if (ch === "," && depth === 0) {
      if (cur.trim() !== "") out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

function literalValues(type: string): string[] {
  return [...type.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? "");
}

/** Whether a value matches one member type exactly (NeoX's Union check: no int→float widening). */
function matchesExactly(v: unknown, type: string): boolean {
  const t = type.trim();
  if (t.startsWith("Literal[")) return typeof v === "string" && literalValues(t).includes(v);
  if (t.startsWith("List[") || t === "list") return Array.isArray(v);
  if (t === "Any") return true;
  return pyTypeOf(v) === t;
}

/**
 * validate_types(): plain builtins by isinstance (int accepted for float, bool not for int),
 * Literal case-insensitively, Union by exact member match. Nested dicts are not checked except
 * optimizer/scheduler shape and fp16/amp/flops_profiler `enabled`.
 */
export function checkTypes(raw: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(raw)) {
    const info = NEOX_KEYS[key];
    if (!info) {
      throw new PythonError("TypeError", `NeoXArgs.__init__() got an unexpected keyword argument '${key}'`);
    }
    if (value === null || value === undefined) continue;
    const type = info.type.trim();
    const actual = pyTypeOf(value);
    if (["int", "float", "str", "bool", "list", "dict"].includes(type)) {
      const ok = actual === type || (type === "float" && actual === "int");
      // NeoX reads field_def.type.__origin__ on a mismatch, which plain builtins lack.
      if (!ok) throw new PythonError("AttributeError", `type object '${type}' has no attribute '__origin__'`);
      continue;
    }
    if (type === "Any") continue;
    const inner = (prefix: string): string => type.slice(prefix.length, type.lastIndexOf("]"));
    if (type.startsWith("Literal[")) {
      const allowed = literalValues(type);
      const ok = typeof value === "string" && allowed.some((a) => a.toLowerCase() === value.toLowerCase());
      if (!ok) {
        throw new PythonError("ValueError", "NeoXArgs.__post_init__() NeoXArgs types cannot be validated", [
          `NeoXArgs.validate_types() ${key}: '${String(value)}' Not in accepted values ${JSON.stringify(allowed)}`
        ]);
      }
      continue;
    }
    if (type.startsWith("Optional[")) {
      if (!matchesExactly(value, inner("Optional["))) {
        throw new PythonError("ValueError", "NeoXArgs.__post_init__() NeoXArgs types cannot be validated", [
          `NeoXArgs.validate_types() ${key} with value ${JSON.stringify(value)} is not of type ${type}`
        ]);
      }
      continue;
    }
    if (type.startsWith("Union[")) {
      if (!splitArgs(inner("Union[")).some((m) => matchesExactly(value, m))) {
        throw new PythonError("ValueError", "NeoXArgs.__post_init__() NeoXArgs types cannot be validated", [
          `NeoXArgs.validate_types() ${key} with value ${JSON.stringify(value)} is not of type ${type}`
        ]);
      }
    }
  }
  checkNestedDicts(raw);
}

function checkNestedDicts(raw: Record<string, unknown>): void {
  for (const key of ["optimizer", "scheduler"]) {
    const v = raw[key];
    if (v === null || v === undefined) continue;
    const d = v as Record<string, unknown>;
    const params = d["params"];
    const ok =
      typeof d["type"] === "string" &&
      params !== null &&
      typeof params === "object" &&
      !Array.isArray(params);
    if (!ok) {
      throw new PythonError("ValueError", "NeoXArgs.__post_init__() NeoXArgs types cannot be validated", [
        `NeoXArgs.validate_types() ${key} must have a string "type" and a dict "params"`
      ]);
    }
  }
  for (const key of ["fp16", "amp", "flops_profiler"]) {
    const v = raw[key];
    if (v === null || v === undefined) continue;
    if (!("enabled" in (v as Record<string, unknown>))) {
      throw new PythonError("ValueError", "NeoXArgs.__post_init__() NeoXArgs types cannot be validated", [
        `NeoXArgs.validate_types() ${key} must have an "enabled" key`
      ]);
    }
  }
}

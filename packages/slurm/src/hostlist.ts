import { SlurmError } from "@neoxctl/core";

/**
 * Slurm hostlist expressions: `nid[001-004,007]`, `a[1-2]b[01-02]`, `n1,n2`, `gpu-[1-3]-x`.
 * Zero padding follows the width of the range's first number, as Slurm does.
 */

/** Splits on commas that are not inside brackets. */
function splitTopLevel(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    if (depth < 0) throw parseError(expr, "unbalanced ']'");
    if (c === "," && depth === 0) {
      parts.push(expr.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw parseError(expr, "unbalanced '['");
  parts.push(expr.slice(start));
  return parts.filter((p) => p.length > 0);
}

function parseError(expr: string, why: string): SlurmError {
  return new SlurmError("SLURM_PARSE", `invalid hostlist "${expr}": ${why}`, { hostlist: expr });
}

function expandRanges(body: string, expr: string): string[] {
  const out: string[] = [];
  for (const item of body.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m?.[1]) throw parseError(expr, `bad range "${item}"`);
    const lo = m[1];
    const hi = m[2] ?? lo;
    const from = Number(lo);
    const to = Number(hi);
    if (to < from) throw parseError(expr, `descending range "${item}"`);
    for (let n = from; n <= to; n++) out.push(String(n).padStart(lo.length, "0"));
  }
  return out;
}

function expandOne(part: string, expr: string): string[] {
  const open = part.indexOf("[");
  if (open < 0) return [part];
  const close = part.indexOf("]", open);
  if (close < 0) throw parseError(expr, "unbalanced '['");
  const prefix = part.slice(0, open);
  const values = expandRanges(part.slice(open + 1, close), expr);
  const rests = expandOne(part.slice(close + 1), expr);
  const out: string[] = [];
  for (const v of values) for (const r of rests) out.push(prefix + v + r);
  return out;
}

/** `nid[001-003,007]` → `["nid001","nid002","nid003","nid007"]`. Empty / `(null)` → `[]`. */
export function expandHostlist(expr: string): string[] {
  const trimmed = expr.trim();
  if (trimmed === "" || trimmed === "(null)" || trimmed === "None assigned") return [];
  return splitTopLevel(trimmed).flatMap((p) => expandOne(p, trimmed));
}

interface Split {
  prefix: string;
  digits: string;
}

/** Splits a host name into prefix + trailing number (only names ending in digits are ranged). */
function splitName(name: string): Split | undefined {
  const m = /^(.*?)(\d+)$/.exec(name);
  if (!m || m[2] === undefined) return undefined;
  return { prefix: m[1] ?? "", digits: m[2] };
}

/**
 * Inverse of expandHostlist for the common shape (prefix + trailing number): groups by prefix and
 * digit count, sorts numerically, merges consecutive numbers. Names without a trailing number are
 * kept as they are. Duplicates are dropped.
 */
export function compressHostlist(names: readonly string[]): string {
  const groups = new Map<string, { prefix: string; width: number; nums: Set<number> }>();
  const plain = new Set<string>();
  const order: string[] = [];
  for (const name of names) {
    const s = splitName(name);
    if (!s) {
      if (!plain.has(name)) order.push(`plain:${name}`);
      plain.add(name);
      continue;
    }
    // grouping by digit count keeps zero padding exact (nid099,nid100 → nid[099-100]); names of
    // different widths (n9, n10) stay in separate groups, which still expands back to the same set
    const width = s.digits.length;
    const key = `${s.prefix}\u0000${width}`;
    let g = groups.get(key);
    if (!g) {
      g = { prefix: s.prefix, width, nums: new Set() };
      groups.set(key, g);
      order.push(`group:${key}`);
    }
    g.nums.add(Number(s.digits));
  }
  const pieces: string[] = [];
  for (const o of order) {
    if (o.startsWith("plain:")) {
      pieces.push(o.slice("plain:".length));
      continue;
    }
    const g = groups.get(o.slice("group:".length));
    if (!g) continue;
    const nums = [...g.nums].sort((a, b) => a - b);
    const fmt = (n: number): string => String(n).padStart(g.width, "0");
    const ranges: string[] = [];
    let i = 0;
    while (i < nums.length) {
      const lo = nums[i] as number;
      let hi = lo;
      while (i + 1 < nums.length && nums[i + 1] === hi + 1) hi = nums[++i] as number;
      ranges.push(lo === hi ? fmt(lo) : `${fmt(lo)}-${fmt(hi)}`);
      i++;
    }
    const single = nums.length === 1;
    pieces.push(single ? `${g.prefix}${ranges[0] ?? ""}` : `${g.prefix}[${ranges.join(",")}]`);
  }
  return pieces.join(",");
}

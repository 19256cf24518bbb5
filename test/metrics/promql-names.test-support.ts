/**
 * The metric names a PromQL expression selects. Enough of PromQL for the shipped board and rules:
 * strings, label matchers `{…}`, ranges `[…]`, grouping clauses `by (…)` etc. are removed first;
 * what is left that looks like a name, is not a function call, keyword or number, is a metric.
 */
const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "inf",
  "nan"
]);

export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const after = stripped.slice((m.index ?? 0) + word.length).trimStart();
    if (after.startsWith("(")) continue; // a function or aggregation
    if (KEYWORDS.has(word.toLowerCase())) continue;
    // the letters of a number or duration (1e3, 5m) are not names
    const before = stripped[(m.index ?? 0) - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue;
    names.add(word);
  }
  return [...names].sort();
}

/** `$run`, `${datasource}`: Grafana variables, replaced by a plain value before reading the query. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, "x");
}

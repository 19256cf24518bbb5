/**
 * What launchers and loggers put in front of a trainer's line, stripped before matching:
 * - `[default7]:` (torch elastic) and `0: ` (srun --label, right-aligned so maybe spaces first);
 * - `nid001234: ` (pdsh/clush name the host first): a name with a digit in it, and only when no
 *   number follows, so that a line starting with a `key: value` field keeps it;
 * - a timestamp, bare or bracketed: `[2025-08-01 09:33:02]` (Megatron-LM), `2025-08-01 09:33:02,123`
 *   (Python logging's asctime), with the ` - name - LEVEL - ` tail of the common logging formats;
 * - logging tags: `[INFO]`, DeepSpeed's `[logging.py:96:log_dist]`, `[Rank 0]`, basicConfig's `INFO:root:`.
 * They stack (`nid001: [2025-…] [INFO] …`), so they are taken off one after another.
 */
const TS = String.raw`\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?`;
const LEVEL = "DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL";
const PREFIXES: readonly RegExp[] = [
  /^\s*\[default\d+\]:\s?/,
  /^\s*\d+:\s/,
  new RegExp(String.raw`^\s*\[${TS}\]\s*`),
  new RegExp(String.raw`^\s*${TS}(?:\s+-\s+[\w.]+)*\s+-\s+`),
  new RegExp(String.raw`^\s*${TS}(?:\s+(?:${LEVEL}))?\s+`),
  new RegExp(String.raw`^\s*\[(?:${LEVEL})\]\s*`),
  /^\s*\[[\w.-]+:\d+:\w+\]\s*/,
  /^\s*\[Rank \d+\]\s*/,
  new RegExp(String.raw`^\s*(?:${LEVEL}):[\w.]*:\s*`),
  /^\s*[A-Za-z][\w.-]*\d[\w.-]*:\s+(?![-+]?(?:\d|\.\d|nan\b|inf\b))(?=\S)/i
];

export function stripLinePrefixes(line: string): string {
  let out = line;
  // a bound, not a loop to a fixed point: a line of ten thousand `0: ` is garbage either way
  for (let round = 0; round < 6; round++) {
    const before = out;
    for (const p of PREFIXES) out = out.replace(p, "");
    if (out === before) break;
  }
  return out;
}

/**
 * Python's `{:.6E}` prints non-finite floats as `NAN`, `INF`, `-INF`; `Number()` would turn those
 * into NaN for the wrong reason (and `""` into 0), so every numeric field goes through here.
 */
export function parsePyFloat(raw: string): number | null {
  const s = raw.trim();
  if (s === "") return null;
  switch (s.toUpperCase()) {
    case "NAN":
    case "-NAN":
      return Number.NaN;
    case "INF":
    case "+INF":
    case "INFINITY":
      return Number.POSITIVE_INFINITY;
    case "-INF":
    case "-INFINITY":
      return Number.NEGATIVE_INFINITY;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  return Number(s);
}

export function parseIntStrict(raw: string): number | null {
  const s = raw.trim();
  return /^\d+$/.test(s) ? Number(s) : null;
}

/**
 * JSON that tells NaN, ±Infinity and -0 apart and keeps key order: the tests' notion of "the same
 * event", strict enough that a fast path cannot differ from the full parser in any visible way.
 */
export function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === "number" ? (Object.is(x, -0) ? "-0" : String(x)) : x
  );
}

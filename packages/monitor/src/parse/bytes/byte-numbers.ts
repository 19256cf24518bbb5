/**
 * `parsePyFloat`/`parseIntStrict` over a byte range of an ASCII token, without making a string.
 * The token is already trimmed by the caller. A token the string functions would reject is
 * `undefined` here, so a fast path can hand the whole line to the full parser instead of guessing.
 */

/** powers of ten that are exact doubles: m·10^k and m/10^k are then one correctly rounded operation */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22
];

const lower = (b: number): number => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

function isWord(buf: Buffer, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (lower(buf[a + i]!) !== word.charCodeAt(i)) return false;
  return true;
}

/** Python's non-finite spellings, with exactly the signs `parsePyFloat` accepts */
function nonFinite(buf: Buffer, a: number, b: number): number | undefined {
  const sign = buf[a];
  const s = sign === 0x2d ? -1 : sign === 0x2b ? 1 : 0;
  const w = s === 0 ? a : a + 1;
  if (isWord(buf, w, b, "nan")) return s === 1 ? undefined : Number.NaN;
  if (isWord(buf, w, b, "inf")) return s === -1 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (isWord(buf, w, b, "infinity"))
    return s === 1 ? undefined : s === -1 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return undefined;
}

/** `[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?` or a non-finite word; undefined when the token is neither */
export function bytesToPyFloat(buf: Buffer, a: number, b: number): number | undefined {
  if (a >= b) return undefined;
  let p = a;
  let neg = false;
  const first = buf[p]!;
  if (first === 0x2d || first === 0x2b) {
    neg = first === 0x2d;
    p++;
  }
  let mant = 0;
  let digits = 0;
  let fracDigits = 0;
  let c = buf[p];
  while (p < b && c !== undefined && c >= 0x30 && c <= 0x39) {
    mant = mant * 10 + (c - 0x30);
    digits++;
    c = buf[++p];
  }
  if (p < b && c === 0x2e) {
    c = buf[++p];
    while (p < b && c !== undefined && c >= 0x30 && c <= 0x39) {
      mant = mant * 10 + (c - 0x30);
      digits++;
      fracDigits++;
      c = buf[++p];
    }
  }
  if (digits === 0) return nonFinite(buf, a, b);
  let exp = 0;
  if (p < b && (c === 0x65 || c === 0x45)) {
    c = buf[++p];
    let expNeg = false;
    if (p < b && (c === 0x2d || c === 0x2b)) {
      expNeg = c === 0x2d;
      c = buf[++p];
    }
    let expDigits = 0;
    while (p < b && c !== undefined && c >= 0x30 && c <= 0x39) {
      exp = exp * 10 + (c - 0x30);
      expDigits++;
      c = buf[++p];
    }
    if (expDigits === 0) return undefined;
    if (expNeg) exp = -exp;
  }
  if (p !== b) return undefined;
  const e10 = exp - fracDigits;
  // beyond 15 digits the mantissa may not be exact, and beyond ±22 the power is not: let V8 round it
  if (digits > 15 || e10 > 22 || e10 < -22) return Number(buf.toString("latin1", a, b));
  const v = e10 >= 0 ? mant * POW10[e10]! : mant / POW10[-e10]!;
  return neg ? -v : v;
}

/** `^\d+$`, limited to 15 digits so the value is exact and a safe integer (longer: undefined) */
export function bytesToUint(buf: Buffer, a: number, b: number): number | undefined {
  if (a >= b || b - a > 15) return undefined;
  let n = 0;
  for (let p = a; p < b; p++) {
    const c = buf[p]!;
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

const SP = 0x20;
const PIPE = 0x7c;

/** after a number ending at `p`: one `%` where allowed, then the end of the field (space, `|`, end of line); the position after, or -1 */
function fieldEnd(buf: Buffer, p: number, e: number, percent: boolean): number {
  let c = p < e ? buf[p]! : -1;
  if (percent && c === 0x25) c = ++p < e ? buf[p]! : -1;
  return c === -1 || c === SP || c === PIPE ? p : -1;
}

function roundedByV8(buf: Buffer, a: number, b: number): number {
  return Number(buf.toString("latin1", a, b));
}

/**
 * Reads a `key: value |` value in the same pass that finds where it ends, instead of finding the
 * token's end first and converting it afterwards. A value is accepted only if the token-first
 * reading would accept it too: the number must fill the whole token, so the byte after it has to
 * end the field (a space, `|` or the end of the line); anything else declines.
 *
 * The readers return where the value ended (-1: declined) and leave the value in a field: a double
 * returned from a call that is not inlined is boxed on the heap, a small integer is not.
 */
export class NumberScan {
  /** the last number `float` read */
  value = 0;
  /** the last number `uint` read */
  count = 0;

  /**
   * `bytesToPyFloat` of the token at buf[a..), with one trailing `%` dropped when `percent`. Kept
   * under V8's size limit for inlining (rare cases are calls), so callers read values without a call.
   */
  float(buf: Buffer, a: number, e: number, percent: boolean): number {
    let p = a;
    let c = p < e ? buf[p]! : -1;
    if (c === 0x2d || c === 0x2b) c = ++p < e ? buf[p]! : -1;
    const m0 = p;
    let mant = 0;
    let dot = -1;
    for (;;) {
      if (c >= 0x30 && c <= 0x39) mant = mant * 10 + (c - 0x30);
      else if (c === 0x2e && dot < 0) dot = p;
      else break;
      c = ++p < e ? buf[p]! : -1;
    }
    let digits = p - m0;
    let e10 = 0;
    if (dot >= 0) {
      digits--;
      e10 = dot + 1 - p;
    }
    if (digits === 0) return this.word(buf, a, e, percent);
    if (c === 0x65 || c === 0x45) {
      p = this.exponent(buf, p + 1, e);
      if (p < 0) return -1;
      e10 += this.count;
    }
    const tokenEnd = p;
    p = fieldEnd(buf, p, e, percent);
    if (p < 0) return -1;
    // beyond 15 digits the mantissa may not be exact, and beyond ±22 the power is not: let V8 round it
    if (digits > 15 || e10 > 22 || e10 < -22) this.value = roundedByV8(buf, a, tokenEnd);
    else {
      const v = e10 >= 0 ? mant * POW10[e10]! : mant / POW10[-e10]!;
      this.value = buf[a] === 0x2d ? -v : v;
    }
    return p;
  }

  /** `[-+]?\d+` after an `e`: its value in `count`, its end returned (-1 without digits) */
  private exponent(buf: Buffer, p: number, e: number): number {
    let c = p < e ? buf[p]! : -1;
    const neg = c === 0x2d;
    if (neg || c === 0x2b) c = ++p < e ? buf[p]! : -1;
    const d0 = p;
    let exp = 0;
    while (c >= 0x30 && c <= 0x39) {
      exp = exp * 10 + (c - 0x30);
      c = ++p < e ? buf[p]! : -1;
    }
    this.count = neg ? -exp : exp;
    return p === d0 ? -1 : p;
  }

  /** `bytesToUint` of the token at buf[a..): 1 to 15 digits */
  uint(buf: Buffer, a: number, e: number): number {
    let p = a;
    let n = 0;
    let c = p < e ? buf[p]! : -1;
    while (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      c = ++p < e ? buf[p]! : -1;
    }
    if (p === a || p - a > 15 || (c !== -1 && c !== SP && c !== PIPE)) return -1;
    this.count = n;
    return p;
  }

  /** no digits: a non-finite spelling filling the token, or a decline */
  private word(buf: Buffer, a: number, e: number, percent: boolean): number {
    let p = a;
    while (p < e) {
      const c = buf[p]!;
      if (c <= SP || c > 0x7e || c === PIPE || c === 0x3a) break;
      p++;
    }
    if (p < e && buf[p] !== SP && buf[p] !== PIPE) return -1;
    const v = nonFinite(buf, a, percent && p > a && buf[p - 1] === 0x25 ? p - 1 : p);
    if (v === undefined) return -1;
    this.value = v;
    return p;
  }
}

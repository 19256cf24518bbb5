/**
 * Small byte helpers for the fast paths. Buffer.indexOf is not used on purpose: it searches to the
 * end of the whole chunk, not of the line, so a miss would scan megabytes per line.
 */

/** true when buf[a..a+lit.length) is exactly `lit` (ASCII) and fits before `end` */
export function startsWithAscii(buf: Buffer, a: number, end: number, lit: string): boolean {
  if (end - a < lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (buf[a + i] !== lit.charCodeAt(i)) return false;
  return true;
}

export function equalsAscii(buf: Buffer, a: number, b: number, lit: string): boolean {
  return b - a === lit.length && startsWithAscii(buf, a, b, lit);
}

/**
 * A byte string prepared for comparison four bytes at a time. A JavaScript loop costs about the
 * same per iteration whether it loads one byte or one 32-bit word through a DataView, so comparing
 * field names word by word is several times cheaper than byte by byte.
 */
export class Literal {
  readonly length: number;
  readonly bytes: Uint8Array;
  /** the whole little-endian words of `bytes` */
  readonly words: Int32Array;
  /** the last four bytes as one word (they overlap the whole words when the length is not a multiple of 4) */
  readonly tail: number;

  constructor(bytes: Uint8Array) {
    this.bytes = Uint8Array.from(bytes);
    this.length = bytes.length;
    const dv = new DataView(this.bytes.buffer);
    this.words = new Int32Array(this.length >> 2);
    for (let k = 0; k < this.words.length; k++) this.words[k] = dv.getInt32(4 * k, true);
    this.tail = this.length >= 4 ? dv.getInt32(this.length - 4, true) : 0;
  }

  static ascii(s: string): Literal {
    return new Literal(Buffer.from(s, "latin1"));
  }
}

/** A DataView over the same bytes as `buf` (same indices), for word compares. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/** true when `lit` is at buf[a..) and ends at or before `end`; `dv` is `viewOf(buf)` */
export function literalAt(dv: DataView, buf: Buffer, a: number, end: number, lit: Literal): boolean {
  const n = lit.length;
  if (end - a < n) return false;
  if (n < 4) {
    const b = lit.bytes;
    for (let i = 0; i < n; i++) if (buf[a + i] !== b[i]) return false;
    return true;
  }
  const w = lit.words;
  for (let k = 0; k < w.length; k++) if (dv.getInt32(a + 4 * k, true) !== w[k]) return false;
  return (n & 3) === 0 || dv.getInt32(a + n - 4, true) === lit.tail;
}

/**
 * Remembers the strings made for recurring byte ranges (loss keys, timer names, the FLOPS field),
 * one per slot, so a steady stream of identical lines decodes and vets each of them once. Only
 * strings the caller's `accept` approved are remembered, so a match needs no second check.
 */
export class SlotStrings {
  private readonly literals: (Literal | undefined)[] = [];
  private readonly strings: string[] = [];

  /** the length of the slot's remembered bytes when they are at buf[a..) before `end`, else -1 */
  match(slot: number, dv: DataView, buf: Buffer, a: number, end: number): number {
    const lit = this.literals[slot];
    return lit !== undefined && literalAt(dv, buf, a, end, lit) ? lit.length : -1;
  }

  /** the string of a slot `match` just found */
  string(slot: number): string {
    return this.strings[slot]!;
  }

  /** Decodes buf[a..b) (ASCII), vets it and remembers it for the slot; null when `accept` refuses it. */
  remember(slot: number, buf: Buffer, a: number, b: number, accept: (s: string) => boolean): string | null {
    const s = internalize(buf.toString("latin1", a, b));
    if (!accept(s)) return null;
    this.literals[slot] = new Literal(buf.subarray(a, b));
    this.strings[slot] = s;
    return s;
  }
}

/** the engine's canonical copy of `s`: property stores with it then skip a string-table lookup */
function internalize(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

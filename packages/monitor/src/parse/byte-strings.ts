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
 * Remembers the strings made for recurring byte ranges (loss keys, timer names, the FLOPS field),
 * one per slot, so a steady stream of identical lines decodes and vets each of them once. Only
 * strings the caller's `accept` approved are remembered, so a cache hit needs no second check.
 */
export class SlotStrings {
  private readonly bytes: Buffer[] = [];
  private readonly strings: string[] = [];

  get(slot: number, buf: Buffer, a: number, b: number, accept: (s: string) => boolean): string | null {
    const known = this.bytes[slot];
    if (known !== undefined && known.length === b - a) {
      let i = 0;
      while (i < known.length && known[i] === buf[a + i]) i++;
      if (i === known.length) return this.strings[slot]!;
    }
    const s = internalize(buf.toString("latin1", a, b));
    if (!accept(s)) return null;
    this.bytes[slot] = Buffer.from(buf.subarray(a, b));
    this.strings[slot] = s;
    return s;
  }
}

/** the engine's canonical copy of `s`: property stores with it then skip a string-table lookup */
function internalize(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

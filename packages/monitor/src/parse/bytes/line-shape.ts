import { Literal, literalAt } from "./byte-strings.ts";

/**
 * The fixed text of a line that a fast path accepted: the bytes between one value and the next
 * field's value ("gaps": separators, padding, field names, colons), which fields they name, and
 * the bytes after the last value. NeoX prints every training (or timers) line with the same
 * fields, so the next line can be checked gap by gap — a few word compares per field — instead
 * of being taken apart field by field.
 *
 * Why a match gives the same reading: the field-by-field reader decides everything (rank prefix,
 * field names, which kind of value follows) from the bytes of the gaps, and each value's extent
 * from the value itself with the same scanner. A line made of the same gaps around values the
 * scanners accept is therefore read the same way, field for field. Spaces before a value are not
 * part of a gap (NeoX pads counters to a width, so their number varies): both readers skip them.
 */
export class LineShape {
  private constructor(
    readonly gaps: readonly Literal[],
    /** per field: what its value is (the reader's own numbering) */
    readonly kinds: readonly number[],
    /** per field: its name where the reader needs it (loss keys, timer names), else "" */
    readonly names: readonly string[],
    readonly tail: Literal
  ) {}

  get fields(): number {
    return this.gaps.length;
  }

  /** true when `tail` ends the line at `p` */
  endsAt(dv: DataView, buf: Buffer, p: number, end: number): boolean {
    return end - p === this.tail.length && literalAt(dv, buf, p, end, this.tail);
  }

  static from(buf: Buffer, rec: ShapeRecorder, tailStart: number, end: number): LineShape {
    const gaps: Literal[] = [];
    for (let i = 0; i < rec.n; i++) gaps.push(new Literal(buf.subarray(rec.starts[i], rec.ends[i])));
    return new LineShape(
      gaps,
      rec.kinds.slice(0, rec.n),
      rec.names.slice(0, rec.n),
      new Literal(buf.subarray(tailStart, end))
    );
  }
}

/** Where the gaps of the line being read by field lie, to make its `LineShape` if it is accepted. */
export class ShapeRecorder {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly kinds: number[] = [];
  readonly names: string[] = [];
  n = 0;

  add(start: number, end: number, kind: number, name: string): void {
    const i = this.n++;
    this.starts[i] = start;
    this.ends[i] = end;
    this.kinds[i] = kind;
    this.names[i] = name;
  }
}

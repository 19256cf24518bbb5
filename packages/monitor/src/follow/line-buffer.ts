/**
 * Splits a byte stream into lines. Bytes after the last newline are kept (as bytes, so a UTF-8
 * character cut by a read boundary is not mangled) until the rest arrives. A partial line longer
 * than `maxLineBytes` is emitted as is, so a writer that never prints a newline cannot grow memory.
 */
export class LineBuffer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxLineBytes = 1024 * 1024) {}

  push(chunk: Buffer): string[] {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const lines: string[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      lines.push(stripCr(buf.toString("utf8", start, nl)));
      start = nl + 1;
    }
    this.pending = Buffer.from(buf.subarray(start));
    if (this.pending.length > this.maxLineBytes) {
      lines.push(stripCr(this.pending.toString("utf8")));
      this.pending = Buffer.alloc(0);
    }
    return lines;
  }

  /** bytes held back, not yet part of a returned line */
  get pendingBytes(): number {
    return this.pending.length;
  }

  reset(): void {
    this.pending = Buffer.alloc(0);
  }
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

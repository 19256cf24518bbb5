import type { LogEvent } from "./events.ts";
import { SlotStrings } from "./byte-strings.ts";
import { fastNeoxTrainLine } from "./fast-train-line.ts";
import { fastTimersLine } from "./fast-timers-line.ts";
import { prefilterLine } from "./line-prefilter.ts";
import { LineParser } from "./parse-line.ts";
import type { ParseFormat } from "./parse-line.ts";

/**
 * Bytes in, events out: the line splitting of `LineBuffer` and the results and counters of
 * `LineParser`, without a string per line. NeoX training and timers lines are read from the bytes
 * directly; a line no parser could match (no marker word) is only counted; every other line is
 * decoded and given to `LineParser`, so the events are the ones `LineBuffer` + `LineParser` give.
 */
export class ChunkParser {
  private pending: Buffer = Buffer.alloc(0);
  private readonly inner: LineParser;
  private readonly trainStrings = new SlotStrings();
  private readonly timerStrings = new SlotStrings();
  private readonly fastTrain: boolean;
  private readonly fastTimers: boolean;
  private readonly withLlmc: boolean;

  constructor(
    private readonly format: ParseFormat = "auto",
    /** same meaning as LineBuffer's: a partial line longer than this is parsed as it is */
    private readonly maxLineBytes = 1024 * 1024
  ) {
    this.inner = new LineParser(format);
    this.fastTrain = format === "neox" || format === "auto" || format === "megatron";
    this.fastTimers = format !== "llmc";
    this.withLlmc = format === "auto" || format === "llmc";
  }

  get parsed(): number {
    return this.inner.parsed;
  }

  get unparsed(): number {
    return this.inner.unparsed;
  }

  /** bytes held back, not yet part of a parsed line */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** Parses every complete line in `chunk` (with what was held back). The chunk is not retained. */
  push(chunk: Buffer): LogEvent[] {
    const out: LogEvent[] = [];
    let start = 0;
    if (this.pending.length > 0) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.pending = Buffer.concat([this.pending, chunk]);
        this.flushIfTooLong(out);
        return out;
      }
      const first = Buffer.concat([this.pending, chunk.subarray(0, nl)]);
      this.pending = Buffer.alloc(0);
      this.line(first, 0, first.length, out);
      start = nl + 1;
    }
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.line(chunk, start, nl, out);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.pending = Buffer.from(chunk.subarray(start));
      this.flushIfTooLong(out);
    }
    return out;
  }

  /** Parses the held-back partial line (at end of file), if any. */
  flush(): LogEvent[] {
    const out: LogEvent[] = [];
    if (this.pending.length > 0) {
      const rest = this.pending;
      this.pending = Buffer.alloc(0);
      this.line(rest, 0, rest.length, out);
    }
    return out;
  }

  reset(): void {
    this.pending = Buffer.alloc(0);
  }

  private flushIfTooLong(out: LogEvent[]): void {
    if (this.pending.length > this.maxLineBytes) out.push(...this.flush());
  }

  private line(buf: Buffer, start: number, nl: number, out: LogEvent[]): void {
    const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
    const ev = this.fastLine(buf, start, end);
    if (ev !== undefined) {
      if (ev === null) this.inner.unparsed++;
      else {
        this.inner.parsed++;
        out.push(ev);
      }
      return;
    }
    switch (prefilterLine(buf, start, end, this.withLlmc)) {
      case "blank":
        return;
      case "no_marker":
        this.inner.unparsed++;
        return;
      case "maybe": {
        // decoded exactly as LineBuffer does: up to the newline, then one trailing CR dropped
        const text = buf.toString("utf8", start, nl);
        const parsed = this.inner.parse(end === nl ? text : text.slice(0, -1));
        if (parsed) out.push(parsed);
      }
    }
  }

  /** an event, `null` for a recognised line the format excludes, undefined when the fast paths decline */
  private fastLine(buf: Buffer, start: number, end: number): LogEvent | null | undefined {
    if (this.fastTrain) {
      const train = fastNeoxTrainLine(buf, start, end, this.trainStrings);
      if (train) return this.format === "megatron" ? null : train;
    }
    if (this.fastTimers) {
      const timers = fastTimersLine(buf, start, end, this.timerStrings);
      if (timers) return timers;
    }
    return undefined;
  }
}

import type { LogEvent } from "../events.ts";
import { FastLineState } from "./fast-line-state.ts";
import { trainByField, trainByShape } from "./fast-train-line.ts";
import { timersByField, timersByShape } from "./fast-timers-line.ts";
import { prefilterLine } from "../line-prefilter.ts";
import { LineParser } from "../text/parse-line.ts";
import type { ParseFormat } from "../text/parse-line.ts";

/** An event with where its line ends in the stream, and its text on demand (decoded only if asked for). */
export interface LocatedEvent {
  event: LogEvent;
  /** stream offset just past the line (its newline included): a caller that stores this resumes after it */
  end: number;
  text(): string;
}

export interface ChunkParserOptions {
  /** stream offset of the first byte pushed (for `LocatedEvent.end`); default 0 */
  offset?: number;
  /** keep the last N non-blank lines of whatever kind, for `recentLines()`; default 0 */
  recentLines?: number;
}

/** A located event as a plain instance: one object per event instead of an object, a closure and its scope. */
class Located implements LocatedEvent {
  constructor(
    readonly event: LogEvent,
    readonly end: number,
    private readonly buf: Buffer,
    private readonly from: number,
    private readonly to: number
  ) {}

  text(): string {
    return this.buf.toString("utf8", this.from, this.to);
  }
}

function emit(sink: Sink, event: LogEvent, buf: Buffer, start: number, end: number, streamEnd: number): void {
  sink.out.push(sink.located ? new Located(event, streamEnd, buf, start, end) : event);
}

/** where a scan puts its events: bare, or located (no callback, so the per-line call stays monomorphic) */
interface Sink {
  out: (LogEvent | LocatedEvent)[];
  located: boolean;
}

/**
 * Bytes in, events out: the line splitting of `LineBuffer` and the results and counters of
 * `LineParser`, without a string per line. NeoX training and timers lines are read from the bytes
 * directly; a line no parser could match (no marker word) is only counted; every other line is
 * decoded and given to `LineParser`, so the events are the ones `LineBuffer` + `LineParser` give.
 */
export class ChunkParser {
  private pending: Buffer = Buffer.alloc(0);
  private readonly inner: LineParser;
  private readonly fast = new FastLineState();
  private readonly fastTrain: boolean;
  private readonly fastTimers: boolean;
  private readonly withLlmc: boolean;
  /** stream offset of the next byte pushed */
  private pushed: number;
  private readonly keepRecent: number;
  private recent: string[] = [];

  constructor(
    private readonly format: ParseFormat = "auto",
    /** same meaning as LineBuffer's: a partial line longer than this is parsed as it is */
    private readonly maxLineBytes = 1024 * 1024,
    options: ChunkParserOptions = {}
  ) {
    this.pushed = options.offset ?? 0;
    this.keepRecent = options.recentLines ?? 0;
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
    const sink: Sink = { out: [], located: false };
    this.scan(chunk, sink);
    return sink.out as LogEvent[];
  }

  /**
   * Same events as `push`, each with the stream offset past its line and its text. The text is
   * decoded only when asked for, so the fast paths stay fast; `text()` keeps `chunk` alive.
   */
  pushLocated(chunk: Buffer): LocatedEvent[] {
    const sink: Sink = { out: [], located: true };
    this.scan(chunk, sink);
    return sink.out as LocatedEvent[];
  }

  /** Parses the held-back partial line (at end of file), if any. */
  flush(): LogEvent[] {
    const sink: Sink = { out: [], located: false };
    this.flushInto(sink);
    return sink.out as LogEvent[];
  }

  /** The last non-blank complete lines seen (up to `recentLines`), oldest first. */
  recentLines(): string[] {
    return [...this.recent];
  }

  /** Forgets the held-back bytes and recent lines; the next byte pushed is at stream offset `offset`. */
  reset(offset = 0): void {
    this.pending = Buffer.alloc(0);
    this.pushed = offset;
    this.recent = [];
  }

  private scan(chunk: Buffer, sink: Sink): void {
    const base = this.pushed;
    this.pushed += chunk.length;
    let start = 0;
    let first: Buffer | null = null;
    if (this.pending.length > 0) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.pending = Buffer.concat([this.pending, chunk]);
        this.flushIfTooLong(sink);
        return;
      }
      first = Buffer.concat([this.pending, chunk.subarray(0, nl)]);
      this.pending = Buffer.alloc(0);
      this.line(first, 0, first.length, base + nl + 1, sink);
      start = nl + 1;
    }
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.line(chunk, start, nl, base + nl + 1, sink);
      start = nl + 1;
    }
    this.fast.release();
    if (this.keepRecent > 0) this.noteRecent(chunk, first);
    if (start < chunk.length) {
      this.pending = Buffer.from(chunk.subarray(start));
      this.flushIfTooLong(sink);
    }
  }

  private flushInto(sink: Sink): void {
    if (this.pending.length > 0) {
      const rest = this.pending;
      this.pending = Buffer.alloc(0);
      this.line(rest, 0, rest.length, this.pushed, sink);
      this.fast.release();
    }
  }

  private flushIfTooLong(sink: Sink): void {
    if (this.pending.length > this.maxLineBytes) this.flushInto(sink);
  }

  /** Walks back from the chunk's last newline: only the last few lines are ever decoded. */
  private noteRecent(chunk: Buffer, first: Buffer | null): void {
    const found: string[] = [];
    let nl = chunk.lastIndexOf(10);
    while (nl !== -1 && found.length < this.keepRecent) {
      const prev = nl === 0 ? -1 : chunk.lastIndexOf(10, nl - 1);
      // the first line of the chunk began in the held-back bytes when there were any
      const text = prev === -1 && first ? first.toString("utf8") : chunk.toString("utf8", prev + 1, nl);
      const line = text.endsWith("\r") ? text.slice(0, -1) : text;
      if (line.trim() !== "") found.push(line);
      nl = prev;
    }
    found.reverse();
    this.recent = [...this.recent, ...found].slice(-this.keepRecent);
  }

  private line(buf: Buffer, start: number, nl: number, streamEnd: number, sink: Sink): void {
    const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
    const ev = this.fastLine(buf, start, end);
    if (ev !== undefined) {
      if (ev === null) this.inner.unparsed++;
      else {
        this.inner.parsed++;
        emit(sink, ev, buf, start, end, streamEnd);
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
        if (parsed) emit(sink, parsed, buf, start, end, streamEnd);
      }
    }
  }

  /**
   * an event, `null` for a recognised line the format excludes, undefined when the fast paths decline.
   * The two fast paths never accept the same line, so the cheap shape matches of both go first.
   */
  private fastLine(buf: Buffer, start: number, end: number): LogEvent | null | undefined {
    const st = this.fast;
    if (this.fastTrain) {
      const train = trainByShape(buf, start, end, st);
      if (train) return this.format === "megatron" ? null : train;
    }
    if (this.fastTimers) {
      const timers = timersByShape(buf, start, end, st);
      if (timers) return timers;
    }
    if (this.fastTrain) {
      const train = trainByField(buf, start, end, st);
      if (train) return this.format === "megatron" ? null : train;
    }
    if (this.fastTimers) {
      const timers = timersByField(buf, start, end, st);
      if (timers) return timers;
    }
    return undefined;
  }
}

import type { Executor } from "@neoxctl/exec";

/** What happened to the file between two polls, besides new lines. */
export type FollowNote =
  /** the file was shorter than what had been read (truncated or deleted): reading restarts at 0 */
  | { kind: "truncated"; previousOffset: number; size: number }
  /** the bytes just before the offset changed: another file now sits at the path, read from 0 */
  | { kind: "replaced"; previousOffset: number };

export interface FollowerOptions {
  /** resume from a stored offset (bytes already consumed) */
  offset?: number;
  /** bytes per read; a poll keeps reading until it has caught up or hit `maxBytesPerPoll` */
  readBytes?: number;
  maxBytesPerPoll?: number;
}

/** Turns bytes into items (lines, events), holding back an unfinished last line. */
export interface ByteDecoder<T> {
  push(chunk: Buffer): T[];
  /** bytes held back, not yet part of a returned item */
  readonly pendingBytes: number;
  /** start over: the next byte pushed is byte 0 of a new file */
  reset(): void;
}

export interface ByteFollowResult<T> {
  items: T[];
  notes: FollowNote[];
  offset: number;
  size: number;
  /** the poll stopped at `maxBytesPerPoll` with bytes of the file still unread */
  more: boolean;
}

/**
 * Overlap kept to recognise a replaced file: each read starts this many bytes before the offset and
 * compares them with what was there. Same size or larger after a rotation is thus still noticed, at
 * the cost of re-reading 64 bytes, without a separate stat call.
 */
const OVERLAP = 64;

/**
 * The reading half of a follower: one file through an Executor (local or SSH alike) from a byte
 * offset, nothing consumed read again, truncation and replacement noticed; what the bytes become
 * is the decoder's business. A missing file reads as empty.
 */
export class ByteFollower<T> {
  private pos: number;
  /** the last OVERLAP bytes before `pos` (what a replaced file would no longer have) */
  private tail: Buffer = Buffer.alloc(0);
  private readonly readBytes: number;
  private readonly maxBytesPerPoll: number;

  constructor(
    private readonly executor: Executor,
    readonly path: string,
    private readonly decoder: ByteDecoder<T>,
    options: FollowerOptions = {},
    /** on truncation or replacement, drop what this poll had already decoded from the old file */
    private readonly dropOnRestart = false
  ) {
    this.pos = options.offset ?? 0;
    this.readBytes = options.readBytes ?? 1024 * 1024;
    this.maxBytesPerPoll = options.maxBytesPerPoll ?? 8 * 1024 * 1024;
  }

  /** bytes consumed so far: store this to resume (a partial last line is re-read on resume) */
  get offset(): number {
    return this.pos - this.decoder.pendingBytes;
  }

  async poll(): Promise<ByteFollowResult<T>> {
    const notes: FollowNote[] = [];
    const out: T[] = [];
    let read = 0;
    let size = 0;
    for (;;) {
      const back = this.tail.length;
      const { data, size: s } = await this.executor.readFrom(
        this.path,
        this.pos - back,
        this.readBytes + back
      );
      size = s;
      if (size < this.pos) {
        notes.push({ kind: "truncated", previousOffset: this.pos, size });
        this.restart(out);
        continue;
      }
      if (back > 0 && !data.subarray(0, back).equals(this.tail)) {
        notes.push({ kind: "replaced", previousOffset: this.pos });
        this.restart(out);
        continue;
      }
      const fresh = data.subarray(back);
      if (fresh.length === 0) break;
      this.pos += fresh.length;
      read += fresh.length;
      this.tail = Buffer.from(data.subarray(Math.max(0, data.length - OVERLAP)));
      for (const item of this.decoder.push(fresh)) out.push(item);
      if (this.pos >= size || read >= this.maxBytesPerPoll) break;
    }
    return { items: out, notes, offset: this.offset, size, more: this.pos < size };
  }

  private restart(out: T[]): void {
    this.pos = 0;
    this.tail = Buffer.alloc(0);
    this.decoder.reset();
    if (this.dropOnRestart) out.length = 0;
  }
}

import type { Executor } from "@neoxctl/exec";
import { LineBuffer } from "./line-buffer.ts";

/** What happened to the file between two polls, besides new lines. */
export type FollowNote =
  /** the file was shorter than what had been read (truncated or deleted): reading restarts at 0 */
  | { kind: "truncated"; previousOffset: number; size: number }
  /** the bytes just before the offset changed: another file now sits at the path, read from 0 */
  | { kind: "replaced"; previousOffset: number };

export interface FollowResult {
  lines: string[];
  notes: FollowNote[];
  /** offset after this poll: everything before it has been returned as lines or is buffered */
  offset: number;
  size: number;
}

export interface FollowerOptions {
  /** resume from a stored offset (bytes already consumed) */
  offset?: number;
  /** bytes per read; a poll keeps reading until it has caught up or hit `maxBytesPerPoll` */
  readBytes?: number;
  maxBytesPerPoll?: number;
}

/**
 * Overlap kept to recognise a replaced file: each read starts this many bytes before the offset and
 * compares them with what was there. Same size or larger after a rotation is thus still noticed, at
 * the cost of re-reading 64 bytes, without a separate stat call.
 */
const OVERLAP = 64;

/**
 * Follows one file through an Executor (local or SSH alike) from a byte offset; nothing already
 * consumed is read again. A missing file reads as empty, so following can start before the job
 * writes anything.
 */
export class LogFollower {
  private pos: number;
  /** the last OVERLAP bytes before `pos` (what a replaced file would no longer have) */
  private tail: Buffer = Buffer.alloc(0);
  private readonly lines = new LineBuffer();
  private readonly readBytes: number;
  private readonly maxBytesPerPoll: number;

  constructor(
    private readonly executor: Executor,
    readonly path: string,
    options: FollowerOptions = {}
  ) {
    this.pos = options.offset ?? 0;
    this.readBytes = options.readBytes ?? 1024 * 1024;
    this.maxBytesPerPoll = options.maxBytesPerPoll ?? 8 * 1024 * 1024;
  }

  /** bytes consumed so far: store this to resume (a partial last line is re-read on resume) */
  get offset(): number {
    return this.pos - this.lines.pendingBytes;
  }

  async poll(): Promise<FollowResult> {
    const notes: FollowNote[] = [];
    const out: string[] = [];
    let read = 0;
    let size = 0;
    for (;;) {
      const back = this.tail.length;
      const { data, size: s } = await this.executor.readFrom(this.path, this.pos - back, this.readBytes + back);
      size = s;
      if (size < this.pos) {
        notes.push({ kind: "truncated", previousOffset: this.pos, size });
        this.restart();
        continue;
      }
      if (back > 0 && !data.subarray(0, back).equals(this.tail)) {
        notes.push({ kind: "replaced", previousOffset: this.pos });
        this.restart();
        continue;
      }
      const fresh = data.subarray(back);
      if (fresh.length === 0) break;
      this.pos += fresh.length;
      read += fresh.length;
      this.tail = Buffer.from(data.subarray(Math.max(0, data.length - OVERLAP)));
      for (const line of this.lines.push(fresh)) out.push(line);
      if (this.pos >= size || read >= this.maxBytesPerPoll) break;
    }
    return { lines: out, notes, offset: this.offset, size };
  }

  private restart(): void {
    this.pos = 0;
    this.tail = Buffer.alloc(0);
    this.lines.reset();
  }
}

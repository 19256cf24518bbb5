import type { Executor } from "@neoxctl/exec";
import { ChunkParser } from "../parse/bytes/chunk-parser.ts";
import type { LocatedEvent } from "../parse/bytes/chunk-parser.ts";
import type { ParseFormat } from "../parse/text/parse-line.ts";
import { ByteFollower } from "./byte-follower.ts";
import type { FollowNote, FollowerOptions } from "./byte-follower.ts";

export interface EventFollowResult {
  /** after a truncation or replacement, only events of the new content */
  events: LocatedEvent[];
  notes: FollowNote[];
  /** offset after this poll: every whole line before it has been parsed */
  offset: number;
  size: number;
  /** stopped at `maxBytesPerPoll`: poll again to read the rest */
  more: boolean;
}

export interface EventFollowerOptions extends FollowerOptions {
  format?: ParseFormat;
  /** how many of the last non-blank lines (of any kind) `recentLines()` keeps */
  recentLines?: number;
}

/**
 * Follows one file like `LogFollower`, but parses the bytes with `ChunkParser` instead of handing
 * out lines: no string per line, events located by stream offset (absolute, so an offset stored
 * from `end` resumes right after that line).
 */
export class EventFollower {
  private readonly parser: ChunkParser;
  private readonly bytes: ByteFollower<LocatedEvent>;

  constructor(executor: Executor, path: string, options: EventFollowerOptions = {}) {
    const parser = new ChunkParser(options.format ?? "auto", undefined, {
      offset: options.offset ?? 0,
      recentLines: options.recentLines ?? 0
    });
    this.parser = parser;
    const decoder = {
      push: (chunk: Buffer): LocatedEvent[] => parser.pushLocated(chunk),
      get pendingBytes(): number {
        return parser.pendingBytes;
      },
      reset: (): void => parser.reset(0)
    };
    this.bytes = new ByteFollower(executor, path, decoder, options, true);
  }

  get path(): string {
    return this.bytes.path;
  }

  /** bytes consumed so far: store this to resume (a partial last line is re-read on resume) */
  get offset(): number {
    return this.bytes.offset;
  }

  /** lines recognised and not recognised since the follower was made */
  get counts(): { parsed: number; unparsed: number } {
    return { parsed: this.parser.parsed, unparsed: this.parser.unparsed };
  }

  /** the last non-blank lines read (any kind, recognised or not), oldest first */
  recentLines(): string[] {
    return this.parser.recentLines();
  }

  async poll(): Promise<EventFollowResult> {
    const { items, notes, offset, size, more } = await this.bytes.poll();
    return { events: items, notes, offset, size, more };
  }
}

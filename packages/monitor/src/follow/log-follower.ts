import type { Executor } from "@neoxctl/exec";
import { ByteFollower } from "./byte-follower.ts";
import type { FollowNote, FollowerOptions } from "./byte-follower.ts";
import { LineBuffer } from "./line-buffer.ts";

export type { FollowNote, FollowerOptions } from "./byte-follower.ts";

export interface FollowResult {
  lines: string[];
  notes: FollowNote[];
  /** offset after this poll: everything before it has been returned as lines or is buffered */
  offset: number;
  size: number;
}

/**
 * Follows one file through an Executor (local or SSH alike) from a byte offset, as lines; nothing
 * already consumed is read again. A missing file reads as empty, so following can start before the
 * job writes anything.
 */
export class LogFollower {
  private readonly bytes: ByteFollower<string>;

  constructor(executor: Executor, path: string, options: FollowerOptions = {}) {
    this.bytes = new ByteFollower(executor, path, new LineBuffer(), options);
  }

  get path(): string {
    return this.bytes.path;
  }

  /** bytes consumed so far: store this to resume (a partial last line is re-read on resume) */
  get offset(): number {
    return this.bytes.offset;
  }

  async poll(): Promise<FollowResult> {
    const { items, notes, offset, size } = await this.bytes.poll();
    return { lines: items, notes, offset, size };
  }
}

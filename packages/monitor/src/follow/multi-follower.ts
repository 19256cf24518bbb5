import type { Executor } from "@neoxctl/exec";
import type { FollowerOptions, FollowResult } from "./log-follower.ts";
import { LogFollower } from "./log-follower.ts";

export interface MultiFollowerOptions {
  /** pause between the end of one sweep and the start of the next */
  intervalMs?: number;
  /** files read at the same time (each read is one SFTP request or file open) */
  concurrency?: number;
  /** called once per file per sweep that produced lines or notes */
  onData: (key: string, result: FollowResult) => void;
  /** a failed read of one file never stops the others */
  onError?: (key: string, error: unknown) => void;
}

/**
 * Follows many files from one process: one timer, a bounded number of reads in flight, each file
 * with its own offset. `offsets()` is what to persist to resume after a restart.
 */
export class MultiFollower {
  private readonly followers = new Map<string, LogFollower>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private sweeping: Promise<void> | null = null;
  private readonly intervalMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: MultiFollowerOptions) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.concurrency = Math.max(1, options.concurrency ?? 16);
  }

  add(key: string, executor: Executor, path: string, options: FollowerOptions = {}): void {
    this.followers.set(key, new LogFollower(executor, path, options));
  }

  remove(key: string): void {
    this.followers.delete(key);
  }

  get size(): number {
    return this.followers.size;
  }

  offsets(): Record<string, { path: string; offset: number }> {
    const out: Record<string, { path: string; offset: number }> = {};
    for (const [key, f] of this.followers) out[key] = { path: f.path, offset: f.offset };
    return out;
  }

  /** One pass over every file. Sweeps never overlap: a second call waits for the running one. */
  async sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = this.runSweep().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      this.timer = null;
      void this.sweep().finally(() => {
        if (this.running) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  private async runSweep(): Promise<void> {
    const queue = [...this.followers.entries()];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queue.length) {
        const entry = queue[next++];
        if (!entry) break;
        const [key, follower] = entry;
        try {
          const result = await follower.poll();
          if (result.lines.length > 0 || result.notes.length > 0) this.options.onData(key, result);
        } catch (err) {
          this.options.onError?.(key, err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
  }
}

import type { RunChange } from "./read-model.ts";

/**
 * Turns a cheap "fingerprint per run" read into change notifications. Polling the store keeps the
 * dashboard independent of how (or whether) the supervisor publishes changes; it runs only while
 * someone is subscribed.
 */
export class ChangePoller {
  private listeners = new Set<(change: RunChange) => void>();
  private last: Map<string, string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly read: () => Promise<Map<string, string>>,
    private readonly intervalMs: number
  ) {}

  subscribe(listener: (change: RunChange) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
        this.last = undefined;
      }
    };
  }

  /** One comparison; exported for tests that step it by hand. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const now = await this.read();
      const prev = this.last;
      this.last = now;
      if (!prev) return;
      let membership = prev.size !== now.size;
      for (const [id, fp] of now) {
        if (!prev.has(id)) membership = true;
        else if (prev.get(id) !== fp) this.emit({ kind: "run", runId: id });
      }
      if (membership) this.emit({ kind: "runs" });
    } catch {
      // the store is down or restarting; the next tick tries again
    } finally {
      this.running = false;
    }
  }

  private emit(change: RunChange): void {
    for (const l of this.listeners) l(change);
  }
}

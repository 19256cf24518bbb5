import type { Resilience } from "@neoxctl/core";
import type { Executor } from "@neoxctl/exec";
import { AttemptObserver } from "../observe/attempt-observer.ts";

const CHUNK = 4 * 1024 * 1024;

/**
 * Keeps one observer per attempt run (an attempt restarted by Slurm under the same job id gets a
 * fresh one: the process and its log start over). After a supervisor restart the cache is empty and
 * each log is read again from byte 0.
 */
export class LogReader {
  private readonly observers = new Map<string, AttemptObserver>();

  async observe(exec: Executor, key: string, path: string, resilience: Resilience, now: number, attempt: number, emitFrom: number): Promise<AttemptObserver> {
    let o = this.observers.get(key);
    if (!o) {
      o = new AttemptObserver(resilience, attempt, emitFrom);
      this.observers.set(key, o);
    }
    for (;;) {
      const { data, size } = await exec.readFrom(path, o.offset, CHUNK);
      if (size < o.offset) {
        // truncated (Slurm reopened the output on requeue): start over
        o = new AttemptObserver(resilience, attempt, 0);
        this.observers.set(key, o);
        continue;
      }
      if (data.length === 0) break;
      o.feed(data, now);
      if (data.length < CHUNK) break;
    }
    return o;
  }

  forget(prefix: string): void {
    for (const k of [...this.observers.keys()]) if (k.startsWith(prefix)) this.observers.delete(k);
  }
}

import type { Resilience } from "@neoxctl/core";
import type { Executor } from "@neoxctl/exec";
import { EventFollower } from "@neoxctl/monitor";
import { AttemptObserver } from "../observe/attempt-observer.ts";

/** log lines kept as evidence (the observations' `tail`) */
const TAIL = 8;

interface Watched {
  follower: EventFollower;
  observer: AttemptObserver;
}

/**
 * Keeps one monitor follower and one observer per attempt run (an attempt restarted by Slurm under
 * the same job id gets fresh ones: the process and its log start over). After a supervisor restart
 * the cache is empty and each log is read again from byte 0.
 */
export class LogReader {
  private readonly watched = new Map<string, Watched>();

  async observe(exec: Executor, key: string, path: string, resilience: Resilience, now: number, attempt: number, emitFrom: number): Promise<AttemptObserver> {
    let w = this.watched.get(key);
    if (!w) {
      // read to the end each cycle: a decision must never rest on half of a log
      const follower = new EventFollower(exec, path, { readBytes: 4 * 1024 * 1024, maxBytesPerPoll: Number.POSITIVE_INFINITY, recentLines: TAIL });
      w = { follower, observer: new AttemptObserver(resilience, attempt, emitFrom) };
      this.watched.set(key, w);
    }
    const r = await w.follower.poll();
    // truncated or replaced (Slurm reopened the output on requeue): what was seen belongs to another run of the job
    if (r.notes.length > 0) w.observer = new AttemptObserver(resilience, attempt, 0);
    w.observer.apply(r.events, now);
    w.observer.obs.tail = w.follower.recentLines();
    w.observer.parsedOffset = r.offset;
    return w.observer;
  }

  forget(prefix: string): void {
    for (const k of [...this.watched.keys()]) if (k.startsWith(prefix)) this.watched.delete(k);
  }
}

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

/** bytes parsed per step of a catch-up: events of one step are folded and dropped before the next */
const CATCH_UP_BYTES = 16 * 1024 * 1024;

/** What `LogReader.observe` reads: one attempt run's log, and how to judge it. */
export interface LogWatch {
  exec: Executor;
  /** one per attempt run: a run of the job that Slurm restarted gets a new key */
  key: string;
  path: string;
  resilience: Resilience;
  attempt: number;
  /** log offset already stored: points before it are not emitted again */
  emitFrom: number;
  /** this cycle's clock reading */
  now: number;
}

/**
 * Keeps one monitor follower and one observer per attempt run (an attempt restarted by Slurm under
 * the same job id gets fresh ones: the process and its log start over). After a supervisor restart
 * the cache is empty and each log is read again from byte 0.
 */
export class LogReader {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly catchUpBytes = CATCH_UP_BYTES) {}

  async observe(watch: LogWatch): Promise<AttemptObserver> {
    const { exec, key, path, resilience, attempt, emitFrom, now } = watch;
    let w = this.watched.get(key);
    if (!w) {
      const follower = new EventFollower(exec, path, {
        readBytes: Math.min(4 * 1024 * 1024, this.catchUpBytes),
        maxBytesPerPoll: this.catchUpBytes,
        recentLines: TAIL
      });
      w = { follower, observer: new AttemptObserver(resilience, attempt, emitFrom) };
      this.watched.set(key, w);
    }
    // read to the end each cycle (a decision must never rest on half of a log), but fold a long
    // log in steps: a restart catching up on a large log would otherwise hold all its events at once
    for (;;) {
      const r = await w.follower.poll();
      // truncated or replaced (Slurm reopened the output on requeue): what was seen belongs to another run of the job
      if (r.notes.length > 0) w.observer = new AttemptObserver(resilience, attempt, 0);
      w.observer.apply(r.events, now);
      w.observer.parsedOffset = r.offset;
      if (!r.more) break;
    }
    w.observer.obs.tail = w.follower.recentLines();
    return w.observer;
  }

  forget(prefix: string): void {
    for (const k of [...this.watched.keys()]) if (k.startsWith(prefix)) this.watched.delete(k);
  }
}

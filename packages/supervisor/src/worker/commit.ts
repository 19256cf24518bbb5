import type { EventType } from "@neoxctl/core";
import type { RunEvent } from "../model.ts";
import type { Op, RunStore } from "../store/run-store.ts";
import type { Committer, RunCycle } from "./cycle.ts";

export interface EventSink {
  log: (line: string) => void;
  /** called after every committed event (the worker's queues hook in here) */
  onEvent: (runId: string, type: EventType, cause: string, actor?: string) => void;
}

/** The loop's last two steps: commit atomically under the lease, then report each event committed. */
export class EventCommitter implements Committer {
  constructor(
    readonly store: RunStore,
    private readonly sink: EventSink
  ) {}

  async commit(c: RunCycle, ops: Op[]): Promise<void> {
    await this.store.commit(c.lease, ops);
    const events = this.store.keys.events(c.run.id);
    for (const o of ops) {
      if (o.op === "xadd" && o.key === events) {
        const e = JSON.parse(o.value) as RunEvent;
        this.sink.log(`${c.run.id}: ${e.type}: ${e.cause}`);
        this.sink.onEvent(c.run.id, e.type, e.cause, e.actor);
      }
    }
  }
}

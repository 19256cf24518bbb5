import type { EventType } from "@neoxctl/core";
import type { Evidence, Run, RunEvent } from "../model.ts";
import type { RunState } from "../run-state.ts";
import { assertTransition, isTerminal } from "../run-state.ts";
import type { Op, RunStore } from "../store/run-store.ts";

/** One event to record: what happened, why, the facts, and when. */
export interface EventInput {
  type: EventType;
  cause: string;
  evidence: Evidence;
  /** epoch ms */
  at: number;
  /** the attempt it concerns */
  attempt?: number | undefined;
}

/** Ops that move a run to `to` (validated) and record why, to be committed with anything else. */
export function transitionOps(store: RunStore, run: Run, to: RunState, e: EventInput): Op[] {
  assertTransition(run.id, run.state, to);
  const ev = eventOf(e, { from: run.state, to });
  run.state = to;
  run.updatedAt = ev.time;
  const ops: Op[] = [store.putRun(run), store.event(run.id, ev)];
  if (isTerminal(to)) ops.push({ op: "srem", key: store.keys.active(), value: run.id });
  return ops;
}

/** An event that changes no state (notes, cancellations sent, requeues seen). */
export function noteOps(store: RunStore, run: Run, e: EventInput): Op[] {
  const ev = eventOf(e);
  run.updatedAt = ev.time;
  return [store.putRun(run), store.event(run.id, ev)];
}

function eventOf(e: EventInput, move: Pick<RunEvent, "from" | "to"> = {}): RunEvent {
  return {
    type: e.type,
    time: new Date(e.at).toISOString(),
    cause: e.cause,
    ...move,
    evidence: e.evidence,
    ...(e.attempt !== undefined ? { attempt: e.attempt } : {})
  };
}

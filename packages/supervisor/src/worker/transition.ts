import type { EventType } from "@neoxctl/core";
import type { Attempt, Evidence, Run, RunEvent } from "../model.ts";
import type { RunState } from "../run-state.ts";
import { assertTransition, isTerminal } from "../run-state.ts";
import type { Op, RunStore } from "../store/run-store.ts";

/** Ops that move a run to `to` (validated) and record why, to be committed with anything else. */
export function transitionOps(
  store: RunStore,
  run: Run,
  to: RunState,
  type: EventType,
  cause: string,
  evidence: Evidence,
  now: number,
  attempt?: number
): Op[] {
  assertTransition(run.id, run.state, to);
  const ev: RunEvent = {
    type,
    time: new Date(now).toISOString(),
    cause,
    from: run.state,
    to,
    evidence,
    ...(attempt !== undefined ? { attempt } : {})
  };
  run.state = to;
  run.updatedAt = ev.time;
  const ops: Op[] = [store.putRun(run), store.event(run.id, ev)];
  if (isTerminal(to)) ops.push({ op: "srem", key: store.keys.active(), value: run.id });
  return ops;
}

/** An event that changes no state (notes, cancellations sent, requeues seen). */
export function noteOps(
  store: RunStore,
  run: Run,
  type: EventType,
  cause: string,
  evidence: Evidence,
  now: number,
  attempt?: number
): Op[] {
  const ev: RunEvent = {
    type,
    time: new Date(now).toISOString(),
    cause,
    evidence,
    ...(attempt !== undefined ? { attempt } : {})
  };
  run.updatedAt = ev.time;
  return [store.putRun(run), store.event(run.id, ev)];
}

export function attemptOp(store: RunStore, runId: string, a: Attempt): Op {
  return store.putAttempt(runId, a);
}

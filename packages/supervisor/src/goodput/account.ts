import type { Attempt, Run, RunEvent } from "../model.ts";
import { isTerminal } from "../run-state.ts";
import type { StepPoint } from "../store/series-store.ts";
import type { GoodputCategory, GoodputSplit } from "./categories.ts";
import { effectiveTrainingTime, emptySplit, trainingPartEtt } from "./categories.ts";

export interface AccountInput {
  /** `graph` only says whether the run has a job graph: its steps' times come from the events */
  run: Pick<Run, "createdAt" | "updatedAt" | "state" | "graph">;
  attempts: readonly Pick<Attempt, "index" | "reason" | "params" | "createdAt" | "endedAt">[];
  events: readonly Pick<RunEvent, "type" | "time" | "attempt">[];
  points: readonly Pick<StepPoint, "step" | "attempt" | "time">[];
  /** the clock for a run still going */
  now: number;
}

export interface RunGoodput {
  /** seconds per category; they add up to `wallS` */
  split: GoodputSplit;
  wallS: number;
  /** productive / wall (the job graph's steps included), undefined before any time has passed */
  ett: number | undefined;
  /** productive / (wall − workflow_steps): the training part alone; undefined before training */
  ettTraining: number | undefined;
}

const ms = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};

/** Events of the job graph's steps other than training: none is written while training runs. */
const GRAPH_STEP_EVENTS = new Set<RunEvent["type"]>([
  "step_submitted",
  "step_skipped",
  "step_retried",
  "step_completed",
  "step_failed"
]);

/** Events that end a run's stay in needs_attention (a person acted). */
const HUMAN_ACTS = new Set<RunEvent["type"]>(["resumed_by_user", "acknowledged", "rollback_by_user"]);

/**
 * Splits a recorded run's wall clock (creation to its end, or now) into the goodput categories,
 * from what the supervisor stored: attempts (created, ended), their `job_started` events, the
 * training points with the time they were read, and the needs_attention stretches. The pieces
 * tile the clock, so they add up to it by construction. What the records cannot tell apart is
 * said here: the first logging window of an attempt counts as startup; checkpoint saves inside
 * training count as training; the stretch after an attempt's last logged step is a save
 * (`checkpoint`) when the attempt ended as planned, else lost (`detection` for a hang, `recompute`).
 *
 * A run with a job graph trains between two marks read from its events: attempt 1's submission
 * (the graph hands over to training in that same cycle) and the first graph step event after it
 * (the train step's completion, or export submitted). Before the first and after the second the
 * clock belongs to `workflow_steps`, except the stretches waiting for a person (`human_wait`).
 */
export function accountRun(i: AccountInput): RunGoodput {
  const split = emptySplit();
  const t0 = ms(i.run.createdAt) ?? i.now;
  const end = Math.max(t0, isTerminal(i.run.state) ? (ms(i.run.updatedAt) ?? i.now) : i.now);
  const { trainFrom, trainTo } = trainingSpan(i, t0, end);
  let cursor = t0;
  // nothing is put past `bound`: the training span's end while its attempts are accounted
  let bound = end;
  const put = (cat: GoodputCategory, until: number | undefined): void => {
    const to = Math.min(bound, Math.max(cursor, until ?? cursor));
    split[cat] += (to - cursor) / 1000;
    cursor = to;
  };
  const attempts = [...i.attempts].sort((a, b) => a.index - b.index);
  const attentionAt = i.events
    .filter((e) => e.type === "needs_attention" || e.type === "step_failed")
    .map((e) => ms(e.time) ?? 0)
    .sort((a, b) => a - b);
  const humanAt = i.events
    .filter((e) => HUMAN_ACTS.has(e.type))
    .map((e) => ms(e.time) ?? 0)
    .sort((a, b) => a - b);
  // a gap with a needs_attention in it: the run waited for a person from that event to their command
  const gap = (until: number | undefined, otherwise: GoodputCategory): void => {
    const limit = Math.min(bound, until ?? bound);
    const asked = attentionAt.find((t) => t >= cursor && t <= limit);
    if (asked === undefined) return put(otherwise, limit);
    put(otherwise, asked);
    put("human_wait", humanAt.find((t) => t >= asked) ?? limit);
    put("detection", limit);
  };

  // the graph's steps, with every stop for a person in them (a step that failed, then resumed)
  const workflow = (until: number): void => {
    const limit = Math.min(bound, until);
    for (const asked of attentionAt) {
      if (asked < cursor || asked >= limit) continue;
      put("workflow_steps", asked);
      put("human_wait", Math.min(limit, humanAt.find((t) => t >= asked) ?? limit));
    }
    put("workflow_steps", limit);
  };

  workflow(trainFrom);
  bound = trainTo;
  for (let k = 0; k < attempts.length; k++) {
    const a = attempts[k]!;
    const next = attempts[k + 1];
    gap(ms(a.createdAt), k === 0 ? "queue" : "detection");
    const ended = ms(a.endedAt) ?? ms(next?.createdAt) ?? trainTo;
    const started = i.events.find((e) => e.type === "job_started" && e.attempt === a.index);
    if (!started) {
      put("queue", ended);
      continue;
    }
    put("queue", ms(started.time));
    const pts = i.points
      .filter((p) => p.attempt === a.index && ms(p.time) !== undefined)
      .sort((x, y) => x.step - y.step);
    const first = pts[0];
    const last = pts[pts.length - 1];
    if (!first || !last) {
      put(next?.reason === "hang" ? "detection" : "startup", ended);
      continue;
    }
    put("startup", ms(first.time));
    training(a, first.step, last.step, ms(last.time)!);
    if (!next) {
      // still training, or the final save and exit of a finished run (or of training in a graph)
      put(isTerminal(i.run.state) || trainTo < end ? "checkpoint" : "productive", ended);
    } else
      put(
        next.reason === "planned" ? "checkpoint" : next.reason === "hang" ? "detection" : "recompute",
        ended
      );
  }
  gap(trainTo, i.run.state === "needs_attention" && trainTo === end ? "human_wait" : "detection");
  bound = end;
  workflow(end);

  /** Training between two logged steps: the part a later attempt trained again is lost. */
  function training(a: (typeof attempts)[number], firstStep: number, lastStep: number, until: number): void {
    const span = Math.max(0, Math.min(bound, until) - cursor);
    const steps = lastStep - firstStep;
    let lostFrom = lastStep;
    let lostTo: GoodputCategory = "recompute";
    for (const b of attempts)
      if (b.index > a.index) {
        const from = b.params.load.kind === "resume" ? (b.params.load.iteration ?? lastStep) : 0;
        if (from < lostFrom) {
          lostFrom = from;
          lostTo = b.reason === "spike" || rolledBackBy(b.index) ? "rollback" : "recompute";
        }
      }
    const lost = steps > 0 ? Math.min(1, Math.max(0, (lastStep - Math.max(lostFrom, firstStep)) / steps)) : 0;
    split.productive += (span * (1 - lost)) / 1000;
    split[lostTo] += (span * lost) / 1000;
    cursor += span;
  }

  function rolledBackBy(index: number): boolean {
    return i.events.some((e) => e.type === "rollback_by_user" && e.attempt === index - 1);
  }

  const wallS = (end - t0) / 1000;
  return { split, wallS, ett: effectiveTrainingTime(split), ettTraining: trainingPartEtt(split) };
}

/**
 * When training began and ended, as clock readings. A run without a graph trains from creation to
 * the end. In a graph, training begins when attempt 1 is submitted (never: the end) and ends at the
 * first step event after that, in stream order since both can carry the same cycle's clock reading.
 */
function trainingSpan(i: AccountInput, t0: number, end: number): { trainFrom: number; trainTo: number } {
  if (i.run.graph === undefined) return { trainFrom: t0, trainTo: end };
  const first = i.events.findIndex((e) => e.type === "attempt_submitted");
  if (first < 0) return { trainFrom: end, trainTo: end };
  const clamp = (t: number | undefined): number => Math.min(end, Math.max(t0, t ?? end));
  const trainFrom = clamp(ms(i.events[first]!.time));
  const done = i.events.slice(first + 1).find((e) => GRAPH_STEP_EVENTS.has(e.type));
  return { trainFrom, trainTo: Math.max(trainFrom, clamp(ms(done?.time))) };
}

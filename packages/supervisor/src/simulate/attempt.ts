import type { InJobRestart } from "../ports.ts";
import type { LossCause } from "./ledger.ts";
import type { SimState } from "./state.ts";
import { Training } from "./timeline.ts";

/** How a simulated job ends (or the moment someone decides about it). */
export const ENDING_KINDS = ["end", "limit", "node", "crash", "hang", "spike"] as const;
export type EndingKind = (typeof ENDING_KINDS)[number];

export interface Ending {
  kind: EndingKind;
  /** what the lost time is blamed on (a hang killed by the time limit: kind `limit`, cause `hang`) */
  cause: LossCause;
  /** allocation seconds from job start to the ending or decision */
  a: number;
  /** the last step trained */
  step: number;
  /** the newest complete checkpoint after this attempt (its start when it saved none) */
  newest: number;
  node?: string;
  /** the spike being decided about */
  onset?: number;
}

export interface AttemptPlan {
  from: number;
  /** the step the job ends itself at (exit_interval); null: it runs to the end or its time limit */
  exitAt: number | null;
  nodes: readonly string[];
  /** why this attempt exists: its queue wait and startup are charged to it */
  cause: LossCause;
  queueS: number;
  /** a launch inside a running job (spare nodes): no new submission, the job's clock goes on */
  inJob?: InJobLaunch;
}

/** Where the job stands when its batch script restarts training on a spare. */
export interface InJobLaunch {
  /** allocation seconds the job used before this launch (its time limit counts them) */
  usedS: number;
  /** the job's in-job restarts so far, this one included, as decide() reads them from the log */
  restarts: InJobRestart[];
  /** the step the job's first launch started from, and its planned exit */
  jobFrom: number;
  jobExitAt: number | null;
  /** the newest checkpoint the job saved so far and the allocation second it was saved at */
  saved: { step: number; atS: number } | null;
}

/** What watches the running job: how long a hang goes unnoticed; whether the loss is watched. */
export interface Watch {
  hangDelayS(stalledAtStartup: boolean): number;
  /** the step at which an unrecovered spike is decided; undefined: nobody watches the loss */
  spikeDecisionStep?: (onset: number) => number;
  /** a human's delay in noticing a spike trained through */
  noticeDelayS(): number;
}

const KINDS: readonly ("node" | "crash" | "hang")[] = ["node", "crash", "hang"];

/**
 * Plays one attempt from its queue wait to its ending, charging the time to the ledger. The
 * next failure is drawn in allocation time (memoryless, so a fresh draw per attempt is exact).
 */
export function runAttempt(st: SimState, p: AttemptPlan, watch: Watch): Ending {
  const run = st.run;
  if (!p.inJob) st.attempts += 1;
  const limitS = run.limit_s - (p.inJob?.usedS ?? 0);
  st.ledger.add("queue", p.cause, p.queueS, false);
  st.t += p.queueS;
  const jobStart = st.t;
  const tr = new Training(run, p.from);
  const startup = run.startup_s;
  const target = p.exitAt ?? run.train_iters;
  const aEnd = startup + tr.timeTo(target);
  const perNode = [1 / run_h(st, "node"), 1 / run_h(st, "crash"), 1 / run_h(st, "hang")];
  const rateS = (p.nodes.length * (perNode[0]! + perNode[1]! + perNode[2]!)) / 3600;
  const aFail = st.streams.failure.exp(1 / rateS);
  const u = st.streams.failure.next() * (perNode[0]! + perNode[1]! + perNode[2]!);
  const failKind = u < perNode[0]! ? KINDS[0]! : u < perNode[0]! + perNode[1]! ? KINDS[1]! : KINDS[2]!;
  const node = p.nodes[st.streams.failure.int(p.nodes.length)];

  for (;;) {
    let key = Math.min(aEnd, limitS);
    let pick: "end" | "limit" | "fail" | "decide" | "onset" | "notice" = aEnd <= limitS ? "end" : "limit";
    if (aFail < key) {
      key = aFail;
      pick = "fail";
    }
    const spike = st.spikes.find(
      (s) => !s.recovers && !st.spikesDone.has(s.onset) && s.onset > p.from && s.onset <= target
    );
    let decideStep = 0;
    if (spike && watch.spikeDecisionStep) {
      decideStep = Math.min(watch.spikeDecisionStep(spike.onset), target);
      const aS = startup + tr.timeToLogged(decideStep);
      if (aS < key) {
        key = aS;
        pick = "decide";
      }
    } else if (spike && !watch.spikeDecisionStep && !st.pendingNotice) {
      const aO = startup + tr.timeToLogged(spike.onset);
      if (aO < key) {
        key = aO;
        pick = "onset";
      }
    }
    if (st.pendingNotice) {
      const aN = Math.max(0, st.pendingNotice.atWall - jobStart);
      if (aN < key) {
        key = aN;
        pick = "notice";
      }
    }
    switch (pick) {
      case "onset":
        st.pendingNotice = { onset: spike!.onset, atWall: jobStart + key + watch.noticeDelayS() };
        continue;
      case "end":
        return settle(st, p, tr, jobStart, key, key, {
          kind: "end",
          cause: p.cause,
          a: key,
          step: 0,
          newest: 0
        });
      case "limit":
        return settle(st, p, tr, jobStart, key, key, {
          kind: "limit",
          cause: "limit",
          a: key,
          step: 0,
          newest: 0
        });
      case "decide":
        return settle(st, p, tr, jobStart, key, key, {
          kind: "spike",
          cause: "spike",
          a: key,
          step: 0,
          newest: 0,
          onset: spike!.onset
        });
      case "notice":
        return settle(st, p, tr, jobStart, key, key, {
          kind: "spike",
          cause: "spike",
          a: key,
          step: 0,
          newest: 0,
          onset: st.pendingNotice!.onset
        });
      case "fail": {
        if (failKind !== "hang")
          return settle(st, p, tr, jobStart, key, key, {
            kind: failKind,
            cause: failKind,
            a: key,
            step: 0,
            newest: 0,
            node
          });
        // a hang in the last save: the log already shows the job's last step, which the policy reads as
        // a job finishing (decide's `finishing`), so nobody cancels it before its time limit
        const finishing = key >= startup + tr.timeToLogged(target);
        const seen = finishing ? Number.POSITIVE_INFINITY : key + watch.hangDelayS(key < startup);
        const a = Math.min(seen, limitS);
        const kind = seen <= limitS ? "hang" : "limit";
        return settle(st, p, tr, jobStart, key, a, { kind, cause: "hang", a, step: 0, newest: 0 });
      }
    }
  }
}

function run_h(st: SimState, kind: "node" | "crash" | "hang"): number {
  const m = st.model;
  return kind === "node" ? m.node_mtbf_h : kind === "crash" ? m.crash_mtbf_h : m.hang_mtbf_h;
}

/** Charges the attempt's time: startup, productive steps, saves, lost steps, detection. */
function settle(
  st: SimState,
  p: AttemptPlan,
  tr: Training,
  jobStart: number,
  stopA: number,
  a: number,
  e: Ending
): Ending {
  const run = st.run;
  const startup = run.startup_s;
  st.ledger.add("startup", p.cause, Math.min(stopA, startup), true);
  const target = p.exitAt ?? run.train_iters;
  const tau = Math.max(0, stopA - startup);
  const s = e.kind === "end" ? { step: target, saves: 0, newest: target } : tr.at(tau, target);
  const saves = e.kind === "end" ? tr.savesUpTo(target) : s.saves;
  st.addCheckpoints(p.from, s.newest);
  const kept = (s.newest - p.from) * run.step_s;
  st.ledger.add("productive", "planned", kept, true);
  st.ledger.add("checkpoint", "checkpoint", saves * run.save_s, true);
  const lost = tau - kept - saves * run.save_s;
  st.ledger.add(e.kind === "spike" ? "rollback" : "recompute", e.cause, lost, true);
  st.ledger.add("detection", e.cause, a - stopA, true);
  st.allocS += a;
  st.credited = s.newest;
  st.t = jobStart + a;
  return { ...e, step: s.step, newest: s.newest };
}

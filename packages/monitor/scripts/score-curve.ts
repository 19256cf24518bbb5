/** Recall and false alarms of one detector on one labelled curve. */
import type { LossDetector } from "../src/spike/types.ts";
import type { Curve, Label } from "./scenario-curves.ts";

export interface Score {
  curve: string;
  detector: string;
  points: number;
  rewinds: number;
  labelled: number;
  caught: number;
  /** caught before the blow-up (slow-onset labels only) */
  early: number;
  /** logged points from each caught label's first step to its first alarm */
  delayPoints: number[];
  /** actionable alarms, with kind@step[/segment] */
  alarms: string[];
  /** actionable alarms outside every labelled episode */
  falseAlarms: number;
  notices: number;
}

interface Flag {
  step: number;
  segment: number;
  kind: string;
}

const within = (f: Flag, l: Label, to: number): boolean =>
  f.segment === l.segment && f.step >= l.from && f.step <= to;

export function scoreCurve(curve: Curve, detector: LossDetector): Score {
  const events = [...curve.points.flatMap((p) => detector.push(p)), ...(detector.end?.() ?? [])];
  const flags: Flag[] = events.flatMap((e) =>
    e.type === "alarm" ? [{ step: e.step, segment: e.segment, kind: e.kind }] : []
  );
  // a point's index in its own pass, to count delays in logged points
  const index = (segment: number, step: number): number => {
    let seg = 0;
    for (let i = 0; i < curve.points.length; i++) {
      const p = curve.points[i];
      if (i > 0 && p && p.step <= (curve.points[i - 1]?.step ?? 0)) seg++;
      if (seg === segment && p?.step === step) return i;
    }
    return -1;
  };
  const caughtBy = curve.labels.map((l) => flags.find((f) => within(f, l, l.catchBy)));
  return {
    curve: curve.name,
    detector: detector.name,
    points: curve.points.length,
    rewinds: events.filter((e) => e.type === "rewind").length,
    labelled: curve.labels.length,
    caught: caughtBy.filter((f) => f !== undefined).length,
    early: curve.labels.filter((l, i) => {
      const f = caughtBy[i];
      return l.earlyBefore !== undefined && f !== undefined && f.step < l.earlyBefore;
    }).length,
    delayPoints: curve.labels.flatMap((l, i) => {
      const f = caughtBy[i];
      return f ? [index(l.segment, f.step) - index(l.segment, l.from)] : [];
    }),
    alarms: flags.map((f) => `${f.kind}@${f.step}${f.segment > 0 ? `/${f.segment}` : ""}`),
    falseAlarms: flags.filter((f) => !curve.labels.some((l) => within(f, l, l.episodeEnd))).length,
    notices: events.filter((e) => e.type === "notice").length
  };
}

/** What every loss detector consumes and emits, so rules can be swapped and compared. */
export interface LossPoint {
  step: number;
  /** NaN / ±Infinity are legal inputs (bf16 prints `NAN`) */
  loss: number;
}

/**
 * spike: a jump that held for more than one logged point, or one point that is the mean of many steps;
 * nan: a non-finite loss; divergence: the baseline far above its minimum;
 * climb: the baseline rising steadily from its minimum (a slow-onset instability, before any jump).
 */
export type AlarmKind = "spike" | "nan" | "divergence" | "climb";

export interface Alarm {
  type: "alarm";
  kind: AlarmKind;
  /** step at which the alarm was raised */
  step: number;
  /** first step of the excursion (≤ step when persistence delayed the alarm) */
  onsetStep: number;
  loss: number;
  /** the loss level the rule compared against, NaN when the rule has none */
  baseline: number;
  /** loss / baseline; Infinity for non-finite losses */
  severity: number;
  /** rewinds seen before this point: 0 for the first pass over a step, 1 after the first restart, … */
  segment: number;
}

/**
 * Not an alarm and never a reason to act: a single high point in a log whose points are single (or
 * few) steps, which came straight back down. Reported so a reader sees it, counted apart.
 */
export interface Notice {
  type: "notice";
  kind: "outlier";
  step: number;
  loss: number;
  baseline: number;
  severity: number;
  segment: number;
}

export type DetectorEvent =
  | Alarm
  | Notice
  | {
      type: "recovered";
      step: number;
      onsetStep: number;
      peakStep: number;
      peakLoss: number;
      /** steps from onset to the first point back at the pre-spike level */
      stepsToRecover: number;
    }
  | { type: "not_recovered"; step: number; onsetStep: number; peakStep: number; peakLoss: number }
  /** the step went backwards (restart from a checkpoint); state was rewound, never an alarm */
  | { type: "rewind"; fromStep: number; toStep: number };

export interface LossDetector {
  readonly name: string;
  push(point: LossPoint): readonly DetectorEvent[];
  /** the input ended (end of a file, or of a job): settle what was waiting for the next point */
  end?(): readonly DetectorEvent[];
}

export const NO_EVENTS: readonly DetectorEvent[] = Object.freeze([]);

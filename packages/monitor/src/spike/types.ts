/** What every loss detector consumes and emits, so rules can be swapped and compared. */
export interface LossPoint {
  step: number;
  /** NaN / ±Infinity are legal inputs (bf16 prints `NAN`) */
  loss: number;
}

type AlarmKind = "spike" | "nan" | "divergence";

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
}

export type DetectorEvent =
  | Alarm
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
}

export const NO_EVENTS: readonly DetectorEvent[] = Object.freeze([]);

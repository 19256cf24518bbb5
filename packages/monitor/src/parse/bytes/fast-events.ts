import type { LogEvent, TrainEvent } from "../events.ts";

/**
 * The fast paths' events, made by constructors whose prototype is Object.prototype: to any
 * observer they are the plain objects an object literal gives (same prototype, `constructor`,
 * property order, JSON), but they are not tied to a literal's allocation site.
 *
 * Why: V8 tracks how many objects from each literal survive a young-generation collection, and
 * once most do it allocates that literal's objects straight in the old generation for good
 * ("pretenuring"). A parse that keeps a chunk's events until the caller has looked at them looks
 * exactly like that when a collection happens mid-chunk while the young generation is small (early
 * in a process, or after idle time shrank it) — and from then on every event of every later chunk
 * costs old-generation collections. In the parse benchmark this took about half the time of a run;
 * objects made with `new` are never pretenured.
 */

type Losses = Record<string, number>;

function TrainObject(
  this: TrainEvent,
  step: number,
  totalSteps: number,
  loss: number | null,
  losses: Losses,
  lr: number | null,
  iterMs: number | null,
  samplesPerSec: number | null,
  lossScale: number | null,
  skippedIters: number | null,
  nanIters: number | null,
  mfuPct: number | null,
  hfuPct: number | null,
  flopsPerGpu: string | null
): void {
  // the order of the full parser's object literal, so the objects print and serialise the same
  this.kind = "train";
  this.format = "neox";
  this.step = step;
  this.totalSteps = totalSteps;
  this.loss = loss;
  this.losses = losses;
  this.lr = lr;
  this.iterMs = iterMs;
  this.samplesPerSec = samplesPerSec;
  this.lossScale = lossScale;
  this.gradNorm = null;
  this.skippedIters = skippedIters;
  this.nanIters = nanIters;
  this.mfuPct = mfuPct;
  this.hfuPct = hfuPct;
  this.flopsPerGpu = flopsPerGpu;
}

type TimersEvent = Extract<LogEvent, { kind: "timers" }>;

function TimersObject(this: TimersEvent, timersMs: Losses): void {
  this.kind = "timers";
  this.timersMs = timersMs;
}

// two empty-object makers, so loss maps and timer maps each get their own object layouts
function LossesObject(this: Losses): void {}
function TimersMsObject(this: Losses): void {}

/** `init` as the constructor of plain objects it is made into: prototype Object.prototype, typed by its own parameters */
function plainConstructor<T, A extends unknown[]>(
  init: (this: T, ...args: A) => void
): new (...args: A) => T {
  init.prototype = Object.prototype;
  return init as unknown as new (...args: A) => T;
}

export const TrainEventObject = plainConstructor(TrainObject);
export const TimersEventObject = plainConstructor(TimersObject);
/** `{}` for a training line's losses */
export const LossesMap = plainConstructor(LossesObject);
/** `{}` for a timers line's timings */
export const TimersMap = plainConstructor(TimersMsObject);

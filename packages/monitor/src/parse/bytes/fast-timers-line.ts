import type { LogEvent } from "../events.ts";
import { Literal, literalAt } from "./byte-strings.ts";
import { TimersEventObject, TimersMap } from "./fast-events.ts";
import type { FastLineState } from "./fast-line-state.ts";
import { fieldName, type FieldNames } from "./field-name.ts";
import { LineShape } from "./line-shape.ts";
import { afterRankPrefix } from "./rank-prefix.ts";

/**
 * NeoX's `time (ms) | forward: 5123.45 | …` line read from bytes, giving what the full parser gives
 * or `null` to hand the line to it. Every part must be `name: number` in printable ASCII; a part
 * the regex path would silently skip (no colon, bad number) makes this path decline instead.
 * As with training lines, the last accepted line's shape (`LineShape`) is tried first.
 */

const SP = 0x20;
const PIPE = 0x7c;
const TIME_MS = Literal.ascii("time (ms)");

/**
 * Names left to the full parser: one a plain object cannot hold, and any that could start an eval
 * line (the only free text on an accepted line), since the eval pattern outranks the timers one.
 */
const isTimerName = (key: string): boolean => key !== "__proto__" && !key.includes("validation");

const TIMER_NAMES: FieldNames = {
  strings: (st) => st.timerStrings,
  bytes: () => true,
  name: isTimerName
};

/**
 * `{names[i]: values[i]}` in order, with one store site per position: in a steady log each site
 * then always sees the same name and the engine makes it a plain field store. One shared site sees
 * every name and falls back to a hash lookup per store, several times slower.
 */
function record(names: readonly string[], values: readonly number[], n: number): Record<string, number> {
  const o = new TimersMap();
  if (n === 0) return o;
  o[names[0]!] = values[0]!;
  if (n === 1) return o;
  o[names[1]!] = values[1]!;
  if (n === 2) return o;
  o[names[2]!] = values[2]!;
  if (n === 3) return o;
  o[names[3]!] = values[3]!;
  if (n === 4) return o;
  o[names[4]!] = values[4]!;
  if (n === 5) return o;
  o[names[5]!] = values[5]!;
  if (n === 6) return o;
  o[names[6]!] = values[6]!;
  if (n === 7) return o;
  o[names[7]!] = values[7]!;
  for (let i = 8; i < n; i++) o[names[i]!] = values[i]!;
  return o;
}

export function fastTimersLine(buf: Buffer, start: number, end: number, st: FastLineState): LogEvent | null {
  return timersByShape(buf, start, end, st) ?? timersByField(buf, start, end, st);
}

/** the line read as the last accepted timers line's shape (see LineShape) says it is laid out; null when it is not */
export function timersByShape(buf: Buffer, start: number, end: number, st: FastLineState): LogEvent | null {
  const shape = st.timersShape;
  if (shape === null) return null;
  const dv = st.view(buf);
  const num = st.num;
  const gaps = shape.gaps;
  const values = st.timerValues;
  let p = start;
  for (let i = 0; i < gaps.length; i++) {
    const gap = gaps[i]!;
    if (!literalAt(dv, buf, p, end, gap)) return null;
    p += gap.length;
    while (p < end && buf[p] === SP) p++;
    p = num.float(buf, p, end, false);
    if (p < 0) return null;
    values[i] = num.value;
  }
  if (!shape.endsAt(dv, buf, p, end)) return null;
  return new TimersEventObject(record(shape.names, values, gaps.length));
}

/** the line read part by part; when accepted, its shape becomes the one the next line is tried with */
export function timersByField(buf: Buffer, start: number, end: number, st: FastLineState): LogEvent | null {
  const dv = st.view(buf);
  let p = afterRankPrefix(buf, start, end);
  while (p < end && buf[p] === SP) p++;
  if (!literalAt(dv, buf, p, end, TIME_MS)) return null;
  p += 9;
  while (p < end && buf[p] === SP) p++;
  const rec = st.shapeRecorder;
  rec.n = 0;
  if (p === end) {
    st.timersShape = LineShape.from(buf, rec, start, end);
    return new TimersEventObject(new TimersMap());
  }
  if (buf[p] !== PIPE) return null;
  p++;
  const names = st.timerNames;
  const values = st.timerValues;
  const num = st.num;
  let n = 0;
  let gapStart = start;
  while (p < end) {
    while (p < end && buf[p] === SP) p++;
    if (p >= end) break;
    if (buf[p] === PIPE) {
      p++;
      continue;
    }
    const colon = fieldName(st, TIMER_NAMES, buf, p, end, n);
    if (colon < 0) return null;
    p = colon + 1;
    rec.add(gapStart, p, 0, st.key);
    while (p < end && buf[p] === SP) p++;
    p = num.float(buf, p, end, false);
    if (p < 0) return null;
    gapStart = p;
    while (p < end && buf[p] === SP) p++;
    if (p < end && buf[p] !== PIPE) return null;
    p++;
    names[n] = st.key;
    values[n] = num.value;
    n++;
  }
  st.timersShape = LineShape.from(buf, rec, gapStart, end);
  return new TimersEventObject(record(names, values, n));
}

import type { TrainEvent } from "../events.ts";
import { equalsAscii, Literal, literalAt } from "./byte-strings.ts";
import { LossesMap, TrainEventObject } from "./fast-events.ts";
import type { FastLineState } from "./fast-line-state.ts";
import { colonAfterSpaces, fieldName, type FieldNames } from "./field-name.ts";
import { LineShape } from "./line-shape.ts";
import { afterRankPrefix, isDigit } from "./rank-prefix.ts";
import { isLossKey } from "../field-names.ts";

/**
 * The NeoX training line read straight from bytes. It accepts only what it can read with
 * certainty — printable ASCII, single-space padding, the NeoX fields it knows and `[A-Za-z_]\w*`
 * loss keys — and returns the event `parseTrainLine` would give for it. Anything else (tabs, other
 * Megatron fields, odd values, non-ASCII) is `null`, meaning "ask the full parser", never "no event".
 *
 * A line is first matched against the shape of the last line accepted (`LineShape`: its text
 * between values, compared four bytes at a time); only when that fails is it read field by field.
 * Either way each number is converted while its end is found.
 */

const SP = 0x20;
const PIPE = 0x7c;
const COLON = 0x3a;

/** the NeoX field names this path knows, in the order NeoX prints them */
const KEYS = [
  "samples/sec",
  "elapsed time per iteration (ms)",
  "learning rate",
  "approx flops per GPU",
  "MFU",
  "HFU",
  "loss scale",
  "number of skipped iterations",
  "number of nan iterations"
] as const;

const KEY_LITERALS: readonly Literal[] = KEYS.map((k) => Literal.ascii(k));
const ITERATION = Literal.ascii("iteration");

const isKeyStart = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isKeyByte = (c: number): boolean => isKeyStart(c) || isDigit(c);

/** the known key starting at `a` and followed by spaces and a colon (one or two candidates by first byte), or -1 */
function keyAt(st: FastLineState, dv: DataView, buf: Buffer, a: number, end: number): number {
  let i: number;
  let j = -1;
  switch (buf[a]) {
    case 0x73: // s
      i = 0;
      break;
    case 0x65: // e
      i = 1;
      break;
    case 0x6c: // l
      i = 2;
      j = 6;
      break;
    case 0x61: // a
      i = 3;
      break;
    case 0x4d: // M
      i = 4;
      break;
    case 0x48: // H
      i = 5;
      break;
    case 0x6e: // n
      i = 7;
      j = 8;
      break;
    case undefined:
    default:
      return -1;
  }
  if ((st.colon = colonAfterKey(dv, buf, a, end, i)) >= 0) return i;
  return j >= 0 && (st.colon = colonAfterKey(dv, buf, a, end, j)) >= 0 ? j : -1;
}

/** the colon's position when KEYS[i] is at `a` followed by spaces and a colon, else -1 */
function colonAfterKey(dv: DataView, buf: Buffer, a: number, end: number, i: number): number {
  const lit = KEY_LITERALS[i]!;
  return literalAt(dv, buf, a, end, lit) ? colonAfterSpaces(buf, a + lit.length, end) : -1;
}

const anyString = (): boolean => true;

/** index into KEYS, or -1; by length first, so a loss key costs one switch */
function knownKey(buf: Buffer, a: number, b: number): number {
  let i: number;
  switch (b - a) {
    case 11:
      i = 0;
      break;
    case 31:
      i = 1;
      break;
    case 13:
      i = 2;
      break;
    case 20:
      i = 3;
      break;
    case 3:
      i = buf[a] === 0x4d ? 4 : 5;
      break;
    case 10:
      i = 6;
      break;
    case 28:
      i = 7;
      break;
    case 24:
      i = 8;
      break;
    default:
      return -1;
  }
  return equalsAscii(buf, a, b, KEYS[i]!) ? i : -1;
}

/** the end of the value token at `p` (printable ASCII other than `|` and `:`) */
function tokenEnd(buf: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = buf[p]!;
    if (c <= SP || c > 0x7e || c === PIPE || c === COLON) break;
    p++;
  }
  return p;
}

/** a `[A-Za-z_]\w*` loss key, never a known name (keyAt takes every known name followed by a colon, so one here would be a misreading) */
function lossKeyBytes(buf: Buffer, ks: number, ke: number): boolean {
  if (knownKey(buf, ks, ke) >= 0 || !isKeyStart(buf[ks]!)) return false;
  for (let i = ks + 1; i < ke; i++) if (!isKeyByte(buf[i]!)) return false;
  return true;
}

/** a field's key not known by name: a loss key, remembered in its slot of `st.trainStrings` */
const LOSS_KEYS: FieldNames = { strings: (st) => st.trainStrings, bytes: lossKeyBytes, name: isLossKey };

/** field kinds past the KEYS indices */
const ITER = 100;
const LOSS = 101;

/**
 * `\s+N\s*\/\s*M` after `iteration` (spaces only); sets step/total on `st`, returns the position
 * after M or -1. What may follow M (spaces, then `|` or the end) is the caller's check.
 */
function iterationValue(st: FastLineState, buf: Buffer, p: number, end: number): number {
  if (p >= end || buf[p] !== SP) return -1;
  while (p < end && buf[p] === SP) p++;
  const a = p;
  let n = 0;
  while (p < end && isDigit(buf[p])) n = n * 10 + (buf[p++]! - 0x30);
  if (p === a || p - a > 15) return -1;
  while (p < end && buf[p] === SP) p++;
  if (p >= end || buf[p] !== 0x2f) return -1;
  p++;
  while (p < end && buf[p] === SP) p++;
  const b = p;
  let m = 0;
  while (p < end && isDigit(buf[p])) m = m * 10 + (buf[p++]! - 0x30);
  if (p === b || p - b > 15) return -1;
  st.step = n;
  st.total = m;
  return p;
}

/** the FLOPS text at `p` (the remembered one when it is the whole token); its end, or -1 */
function flopsValue(st: FastLineState, dv: DataView, buf: Buffer, p: number, end: number): number {
  const strings = st.trainStrings;
  const len = strings.match(0, dv, buf, p, end);
  const after = p + len;
  if (len >= 0 && (after === end || buf[after] === SP || buf[after] === PIPE)) {
    st.key = strings.string(0);
    return after;
  }
  const te = tokenEnd(buf, p, end);
  if (te === p) return -1;
  st.key = strings.remember(0, buf, p, te, anyString)!;
  return te;
}

/** after a value: spaces, then `|` (stepped over) or the end of the line; -1 for anything else */
function afterValue(buf: Buffer, p: number, end: number): number {
  while (p < end && buf[p] === SP) p++;
  return p < end && buf[p] !== PIPE ? -1 : p + 1;
}

export function fastNeoxTrainLine(
  buf: Buffer,
  start: number,
  end: number,
  st: FastLineState
): TrainEvent | null {
  return trainByShape(buf, start, end, st) ?? trainByField(buf, start, end, st);
}

/** the line read as the last accepted line's shape says it is laid out; null when it is not (or there is none) */
export function trainByShape(buf: Buffer, start: number, end: number, st: FastLineState): TrainEvent | null {
  const shape = st.trainShape;
  return shape === null ? null : readTrain(buf, start, end, st, shape);
}

/** the line read field by field; when accepted, its shape becomes the one the next line is tried with */
export function trainByField(buf: Buffer, start: number, end: number, st: FastLineState): TrainEvent | null {
  st.shapeRecorder.n = 0;
  const ev = readTrain(buf, start, end, st, null);
  if (ev !== null) st.trainShape = LineShape.from(buf, st.shapeRecorder, st.valueEnd, end);
  return ev;
}

/**
 * One reader for both ways: with a shape, each field is its gap (compared whole) and the kind the
 * shape recorded; without, fields are found by their separators and names, and recorded.
 */
function readTrain(
  buf: Buffer,
  start: number,
  end: number,
  st: FastLineState,
  shape: LineShape | null
): TrainEvent | null {
  const dv = st.view(buf);
  const num = st.num;
  const rec = st.shapeRecorder;
  st.step = -1;
  st.total = -1;
  let sps: number | null = null;
  let iterMs: number | null = null;
  let lr: number | null = null;
  let flops: string | null = null;
  let mfu: number | null = null;
  let hfu: number | null = null;
  let scale: number | null = null;
  let skipped: number | null = null;
  let nans: number | null = null;
  let firstLossKey: string | null = null;
  const losses = new LossesMap();
  let slot = 1;
  let field = 0;
  // a gap runs from the end of the previous value (or the line's start) to the next field's value
  let gapStart = start;
  let p = shape === null ? afterRankPrefix(buf, start, end) : start;
  for (;;) {
    let kind: number;
    let name = "";
    if (shape !== null) {
      if (field === shape.fields) break;
      const gap = shape.gaps[field]!;
      if (!literalAt(dv, buf, p, end, gap)) return null;
      p += gap.length;
      kind = shape.kinds[field]!;
      name = shape.names[field]!;
      field++;
    } else {
      while (p < end && buf[p] === SP) p++;
      if (p >= end) break;
      if (buf[p] === PIPE) {
        p++;
        continue;
      }
      if (buf[p] === 0x69 && literalAt(dv, buf, p, end, ITERATION)) {
        p += 9;
        kind = ITER;
      } else {
        kind = keyAt(st, dv, buf, p, end);
        let colon: number;
        if (kind >= 0) colon = st.colon;
        else if ((colon = fieldName(st, LOSS_KEYS, buf, p, end, slot++)) >= 0) {
          kind = LOSS;
          name = st.key;
        } else return null;
        p = colon + 1;
      }
      rec.add(gapStart, p, kind, name);
    }
    if (kind !== ITER) while (p < end && buf[p] === SP) p++;
    // one call site for the number reader, so the engine can inline it
    if (kind === ITER) p = iterationValue(st, buf, p, end);
    else if (kind === 3) {
      p = flopsValue(st, dv, buf, p, end);
      flops = st.key;
    } else if (kind === 7 || kind === 8) {
      p = num.uint(buf, p, end);
      if (kind === 7) skipped = num.count;
      else nans = num.count;
    } else {
      p = num.float(buf, p, end, kind !== LOSS);
      const v = num.value;
      switch (kind) {
        case 0:
          sps = v;
          break;
        case 1:
          iterMs = v;
          break;
        case 2:
          lr = v;
          break;
        case 4:
          mfu = v;
          break;
        case 5:
          hfu = v;
          break;
        case 6:
          scale = v;
          break;
        default:
          losses[name] = v;
          firstLossKey ??= name;
      }
    }
    if (p < 0) return null;
    if (shape === null) {
      gapStart = st.valueEnd = p;
      p = afterValue(buf, p, end);
      if (p < 0) return null;
    }
  }
  if (shape !== null && !shape.endsAt(dv, buf, p, end)) return null;
  const step = st.step;
  // no step: not a training line; neither NeoX marker: a Megatron line the full parser labels
  if (step < 0 || (sps === null && flops === null)) return null;
  const loss =
    losses["lm_loss"] ??
    losses["lm loss"] ??
    losses["loss"] ??
    (firstLossKey === null ? null : losses[firstLossKey]!);
  return new TrainEventObject(
    step,
    st.total,
    loss,
    losses,
    lr,
    iterMs,
    sps,
    scale,
    skipped,
    nans,
    mfu,
    hfu,
    flops
  );
}

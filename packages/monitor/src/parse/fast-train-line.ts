import type { TrainEvent } from "./events.ts";
import { bytesToPyFloat, bytesToUint } from "./byte-numbers.ts";
import { equalsAscii, startsWithAscii } from "./byte-strings.ts";
import type { SlotStrings } from "./byte-strings.ts";
import { NON_LOSS_KEYS } from "./train-line.ts";

/**
 * The NeoX training line read straight from bytes. It accepts only what it can read with
 * certainty — printable ASCII, single-space padding, the NeoX fields it knows and `[A-Za-z_]\w*`
 * loss keys — and returns the event `parseTrainLine` would give for it. Anything else (tabs, other
 * Megatron fields, odd values, non-ASCII) is `null`, meaning "ask the full parser", never "no event".
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

const ITERATION = Buffer.from("iteration", "latin1");

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isKeyStart = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isKeyByte = (c: number): boolean => isKeyStart(c) || isDigit(c);

/** where the line starts once a `[defaultN]:` or `N: ` rank prefix (spaces before it allowed) is skipped */
export function afterRankPrefix(buf: Buffer, start: number, end: number): number {
  let q = start;
  while (q < end && buf[q] === SP) q++;
  if (startsWithAscii(buf, q, end, "[default")) {
    let d = q + 8;
    while (d < end && isDigit(buf[d])) d++;
    return d > q + 8 && startsWithAscii(buf, d, end, "]:") ? d + 2 : start;
  }
  let d = q;
  while (d < end && isDigit(buf[d])) d++;
  return d > q && buf[d] === COLON && d + 1 < end && buf[d + 1] === SP ? d + 2 : start;
}

const KEY_BYTES: readonly Uint8Array[] = KEYS.map((k) => Buffer.from(k, "latin1"));

function bytesAt(buf: Buffer, a: number, end: number, lit: Uint8Array): boolean {
  if (end - a < lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (buf[a + i] !== lit[i]) return false;
  return true;
}

/** the known key starting at `a` and followed by spaces and a colon (one or two candidates by first byte), or -1 */
function keyAt(buf: Buffer, a: number, end: number): number {
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
    default:
      return -1;
  }
  if (followedByColon(buf, a, end, i)) return i;
  return j >= 0 && followedByColon(buf, a, end, j) ? j : -1;
}

function followedByColon(buf: Buffer, a: number, end: number, i: number): boolean {
  const lit = KEY_BYTES[i]!;
  if (!bytesAt(buf, a, end, lit)) return false;
  let q = a + lit.length;
  while (q < end && buf[q] === SP) q++;
  return q < end && buf[q] === COLON;
}

const anyString = (): boolean => true;
/** keys the full parser treats as non-losses, and one a plain object cannot hold, are left to it */
const isLossKey = (key: string): boolean => !NON_LOSS_KEYS.has(key) && key !== "__proto__";

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

/** number with one optional trailing `%`, as `num()` in train-line.ts reads it */
function percentFloat(buf: Buffer, a: number, b: number): number | undefined {
  return bytesToPyFloat(buf, a, b > a && buf[b - 1] === 0x25 ? b - 1 : b);
}

export function fastNeoxTrainLine(buf: Buffer, start: number, end: number, strings: SlotStrings): TrainEvent | null {
  let p = afterRankPrefix(buf, start, end);
  let step = -1;
  let total = -1;
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
  const losses: Record<string, number> = {};
  let slot = 1;
  while (p < end) {
    while (p < end && buf[p] === SP) p++;
    if (p >= end) break;
    if (buf[p] === PIPE) {
      p++;
      continue;
    }
    if (buf[p] === 0x69 && bytesAt(buf, p, end, ITERATION)) {
      // `iteration\s+N\s*/\s*M`, spaces only
      p += 9;
      if (buf[p] !== SP) return null;
      while (p < end && buf[p] === SP) p++;
      const a = p;
      while (p < end && isDigit(buf[p])) p++;
      const n = bytesToUint(buf, a, p);
      while (p < end && buf[p] === SP) p++;
      if (n === undefined || p >= end || buf[p] !== 0x2f) return null;
      p++;
      while (p < end && buf[p] === SP) p++;
      const b = p;
      while (p < end && isDigit(buf[p])) p++;
      const m = bytesToUint(buf, b, p);
      while (p < end && buf[p] === SP) p++;
      if (m === undefined || (p < end && buf[p] !== PIPE)) return null;
      p++;
      step = n;
      total = m;
      continue;
    }
    const ks = p;
    let ke: number;
    let known = keyAt(buf, p, end);
    if (known >= 0) {
      ke = p + KEY_BYTES[known]!.length;
      p = ke;
      while (buf[p] === SP) p++;
    } else {
      for (;;) {
        if (p >= end) return null;
        const c = buf[p]!;
        if (c === COLON) break;
        if (c === PIPE || c < SP || c > 0x7e) return null;
        p++;
      }
      ke = p;
      while (ke > ks && buf[ke - 1] === SP) ke--;
      known = knownKey(buf, ks, ke);
    }
    p++;
    while (p < end && buf[p] === SP) p++;
    const vs = p;
    while (p < end) {
      const c = buf[p]!;
      if (c <= SP || c > 0x7e || c === PIPE || c === COLON) break;
      p++;
    }
    const ve = p;
    while (p < end && buf[p] === SP) p++;
    if (p < end && buf[p] !== PIPE) return null;
    p++;
    if (ve === vs || ke === ks) return null;

    let v: number | undefined;
    switch (known) {
      case 0:
        if ((v = percentFloat(buf, vs, ve)) === undefined) return null;
        sps = v;
        break;
      case 1:
        if ((v = percentFloat(buf, vs, ve)) === undefined) return null;
        iterMs = v;
        break;
      case 2:
        if ((v = percentFloat(buf, vs, ve)) === undefined) return null;
        lr = v;
        break;
      case 3:
        flops = strings.get(0, buf, vs, ve, anyString);
        break;
      case 4:
        if ((v = percentFloat(buf, vs, ve)) === undefined) return null;
        mfu = v;
        break;
      case 5:
        if ((v = percentFloat(buf, vs, ve)) === undefined) return null;
        hfu = v;
        break;
      case 6:
        if ((v = percentFloat(buf, vs, ve)) === undefined) return null;
        scale = v;
        break;
      case 7:
        if ((v = bytesToUint(buf, vs, ve)) === undefined) return null;
        skipped = v;
        break;
      case 8:
        if ((v = bytesToUint(buf, vs, ve)) === undefined) return null;
        nans = v;
        break;
      default: {
        if (!isKeyStart(buf[ks]!)) return null;
        for (let i = ks + 1; i < ke; i++) if (!isKeyByte(buf[i]!)) return null;
        if ((v = bytesToPyFloat(buf, vs, ve)) === undefined) return null;
        const key = strings.get(slot++, buf, ks, ke, isLossKey);
        if (key === null) return null;
        losses[key] = v;
        firstLossKey ??= key;
      }
    }
  }
  // no step: not a training line; neither NeoX marker: a Megatron line the full parser labels
  if (step < 0 || (sps === null && flops === null)) return null;
  const loss = losses["lm_loss"] ?? losses["lm loss"] ?? losses["loss"] ?? (firstLossKey === null ? null : losses[firstLossKey]!);
  return {
    kind: "train",
    format: "neox",
    step,
    totalSteps: total,
    loss,
    losses,
    lr,
    iterMs,
    samplesPerSec: sps,
    lossScale: scale,
    gradNorm: null,
    skippedIters: skipped,
    nanIters: nans,
    mfuPct: mfu,
    hfuPct: hfu,
    flopsPerGpu: flops
  };
}

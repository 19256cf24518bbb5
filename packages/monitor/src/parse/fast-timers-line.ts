import type { LogEvent } from "./events.ts";
import { bytesToPyFloat } from "./byte-numbers.ts";
import { startsWithAscii } from "./byte-strings.ts";
import type { SlotStrings } from "./byte-strings.ts";
import { afterRankPrefix } from "./fast-train-line.ts";

/**
 * NeoX's `time (ms) | forward: 5123.45 | …` line read from bytes, giving what the full parser gives
 * or `null` to hand the line to it. Every part must be `name: number` in printable ASCII; a part
 * the regex path would silently skip (no colon, bad number) makes this path decline instead.
 */

const SP = 0x20;
const PIPE = 0x7c;
const COLON = 0x3a;

/**
 * Names left to the full parser: one a plain object cannot hold, and any that could start an eval
 * line (the only free text on an accepted line), since the eval pattern outranks the timers one.
 */
const isTimerName = (key: string): boolean => key !== "__proto__" && !key.includes("validation");

export function fastTimersLine(buf: Buffer, start: number, end: number, strings: SlotStrings): LogEvent | null {
  let p = afterRankPrefix(buf, start, end);
  while (p < end && buf[p] === SP) p++;
  if (!startsWithAscii(buf, p, end, "time (ms)")) return null;
  p += 9;
  while (p < end && buf[p] === SP) p++;
  const timersMs: Record<string, number> = {};
  if (p === end) return { kind: "timers", timersMs };
  if (buf[p] !== PIPE) return null;
  p++;
  let slot = 0;
  while (p < end) {
    while (p < end && buf[p] === SP) p++;
    if (p >= end) break;
    if (buf[p] === PIPE) {
      p++;
      continue;
    }
    const ks = p;
    for (;;) {
      if (p >= end) return null;
      const c = buf[p]!;
      if (c === COLON) break;
      if (c === PIPE || c < SP || c > 0x7e) return null;
      p++;
    }
    let ke = p;
    while (ke > ks && buf[ke - 1] === SP) ke--;
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
    if (ke === ks || ve === vs) return null;
    const v = bytesToPyFloat(buf, vs, ve);
    if (v === undefined) return null;
    const key = strings.get(slot++, buf, ks, ke, isTimerName);
    if (key === null) return null;
    timersMs[key] = v;
  }
  return { kind: "timers", timersMs };
}

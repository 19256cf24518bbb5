import type { SlotStrings } from "./byte-strings.ts";
import type { FastLineState } from "./fast-line-state.ts";

const SP = 0x20;
const PIPE = 0x7c;
const COLON = 0x3a;

/** the position of the colon when only spaces stand between `q` and it, else -1 */
export function colonAfterSpaces(buf: Buffer, q: number, end: number): number {
  while (q < end && buf[q] === SP) q++;
  return q < end && buf[q] === COLON ? q : -1;
}

/** What one kind of line accepts as a field name, and where it remembers the names it saw. */
export interface FieldNames {
  /** the state's remembered names for this kind of line, by position */
  strings(st: FastLineState): SlotStrings;
  /** buf[ks..ke) is a non-empty run of printable ASCII without `|` or `:`: may it be a name? */
  bytes(buf: Buffer, ks: number, ke: number): boolean;
  /** the decoded name: may it be one? (only approved names are remembered) */
  name(key: string): boolean;
}

/**
 * The name of the `name: value` field at `ks`, for the field-by-field readers of training and
 * timers lines: the one remembered in `slot` when the bytes repeat it, else the printable ASCII up
 * to the colon (trailing spaces dropped), vetted by `names` and remembered. The name goes into
 * `st.key`; returns the colon's position, or -1 to leave the line to the full parser.
 */
export function fieldName(
  st: FastLineState,
  names: FieldNames,
  buf: Buffer,
  ks: number,
  end: number,
  slot: number
): number {
  const strings = names.strings(st);
  const len = strings.match(slot, st.view(buf), buf, ks, end);
  if (len >= 0) {
    const colon = colonAfterSpaces(buf, ks + len, end);
    if (colon >= 0) {
      st.key = strings.string(slot);
      return colon;
    }
  }
  let p = ks;
  for (;;) {
    if (p >= end) return -1;
    const c = buf[p]!;
    if (c === COLON) break;
    if (c === PIPE || c < SP || c > 0x7e) return -1;
    p++;
  }
  let ke = p;
  while (ke > ks && buf[ke - 1] === SP) ke--;
  if (ke === ks || !names.bytes(buf, ks, ke)) return -1;
  const key = strings.remember(slot, buf, ks, ke, names.name);
  if (key === null) return -1;
  st.key = key;
  return p;
}

import { startsWithAscii } from "./byte-strings.ts";

const SP = 0x20;
const COLON = 0x3a;

export const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

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

import { describe, expect, it } from "vitest";
import { FastLineState } from "./fast-line-state.ts";
import { colonAfterSpaces, fieldName, type FieldNames } from "./field-name.ts";

const NAMES: FieldNames = {
  strings: (st) => st.timerStrings,
  bytes: (buf, ks) => buf[ks] !== 0x5f, // no leading `_`
  name: (key) => key !== "refused"
};

const read = (st: FastLineState, text: string, slot = 0): { colon: number; key: string } => {
  const buf = Buffer.from(text, "latin1");
  st.key = "";
  const colon = fieldName(st, NAMES, buf, 0, buf.length, slot);
  return { colon, key: st.key };
};

describe("fieldName", () => {
  it("reads a name up to its colon, trailing spaces dropped, and remembers it for the slot", () => {
    const st = new FastLineState();
    expect(read(st, "forward  : 12.5")).toEqual({ colon: 9, key: "forward" });
    expect(st.timerStrings.string(0)).toBe("forward");
    // the remembered name is taken again without decoding
    expect(read(st, "forward: 3")).toEqual({ colon: 7, key: "forward" });
    // another name in the same slot replaces it
    expect(read(st, "backward: 3")).toEqual({ colon: 8, key: "backward" });
  });

  it("declines what it cannot read with certainty: no colon, a `|`, a control byte, an empty or vetted-out name", () => {
    const st = new FastLineState();
    for (const text of ["forward 12.5", "a | b: 1", "a\tb: 1", "  : 1", "_x: 1", "refused: 1", "é: 1"])
      expect(read(st, text).colon, text).toBe(-1);
    expect(st.key).toBe("");
  });

  it("colonAfterSpaces finds a colon behind spaces only", () => {
    const buf = Buffer.from("ab   : x");
    expect(colonAfterSpaces(buf, 2, buf.length)).toBe(5);
    expect(colonAfterSpaces(buf, 0, buf.length)).toBe(-1);
  });
});

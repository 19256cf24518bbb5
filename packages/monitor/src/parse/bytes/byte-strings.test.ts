import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Literal, literalAt, viewOf } from "./byte-strings.ts";

/** bytes that stress the word compares: ASCII, control and high bytes, all-zero and all-one words */
const byte = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.constantFrom(0x00, 0x80, 0xff, 0x7f, 0xf0, 0xf8, 0x0a),
  fc.integer({ min: 0, max: 255 })
);

function bytewise(buf: Buffer, a: number, end: number, lit: Uint8Array): boolean {
  if (end - a < lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (buf[a + i] !== lit[i]) return false;
  return true;
}

describe("literalAt", () => {
  it("says what a byte-by-byte compare says, for any literal and any bytes around it", () => {
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 40 }),
        fc.array(byte, { maxLength: 60 }),
        fc.nat(),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 3 }),
        (litBytes, hay, at, endAt, flips) => {
          const lit = Uint8Array.from(litBytes);
          // often put the literal itself in the buffer, sometimes with a byte or two changed
          const buf = Buffer.from([
            ...hay.slice(0, at % (hay.length + 1)),
            ...litBytes,
            ...hay.slice(at % (hay.length + 1))
          ]);
          for (const f of flips)
            if (buf.length > 0) buf[f % buf.length] = (buf[f % buf.length]! + 1 + (f % 255)) & 0xff;
          const a = at % (hay.length + 1);
          const end = Math.min(buf.length, a + lit.length + (endAt % 3) - 1);
          for (const start of [a, Math.max(0, a - 1), Math.min(buf.length, a + 1)]) {
            expect(literalAt(viewOf(buf), buf, start, end, new Literal(lit))).toBe(
              bytewise(buf, start, end, lit)
            );
          }
        }
      ),
      { numRuns: 20_000 }
    );
  });
});

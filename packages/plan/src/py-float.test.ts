import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatPyFloat } from "./py-float.ts";

// PyYAML's (YAML 1.1) float resolver: a float needs a point, and an exponent needs a sign
const PYYAML_FLOAT = /^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?$/;

describe("formatPyFloat", () => {
  it.each([
    [0.0001, "0.0001"],
    [1e-4, "0.0001"],
    [1, "1.0"],
    [0, "0.0"],
    [-0.5, "-0.5"],
    [1e-8, "0.00000001"],
    [1.5e-10, "0.00000000015"],
    [3e21, "3000000000000000000000.0"],
    [1.25e22, "12500000000000000000000.0"],
    [500000, "500000.0"]
  ])("writes %s as %s", (value, text) => {
    expect(formatPyFloat(value)).toBe(text);
  });

  it("refuses values PyYAML cannot read back as numbers", () => {
    expect(() => formatPyFloat(Number.NaN)).toThrow(RangeError);
    expect(() => formatPyFloat(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it("always writes a PyYAML float that reads back as the same number", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = formatPyFloat(x);
        expect(text).toMatch(PYYAML_FLOAT);
        expect(Number(text)).toBe(x === 0 ? 0 : x);
      }),
      { numRuns: 2000 }
    );
  });
});

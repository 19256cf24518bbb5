import { describe, expect, it } from "vitest";
import { formatExp, formatFixed, formatIntWidth, humanReadableFlops, pyFloatRepr } from "./pyformat.ts";

// Expected strings were produced by CPython 3 with the same format specs.
describe("python number formatting", () => {
  it("renders {:.3E} and {:.6E} like Python", () => {
    expect(formatExp(2.5e-5, 3)).toBe("2.500E-05");
    expect(formatExp(1e-4, 3)).toBe("1.000E-04");
    expect(formatExp(0, 3)).toBe("0.000E+00");
    expect(formatExp(2.3456789, 6)).toBe("2.345679E+00");
    expect(formatExp(8.35998, 6)).toBe("8.359980E+00");
    expect(formatExp(12345.678, 6)).toBe("1.234568E+04");
    expect(formatExp(1e100, 3)).toBe("1.000E+100");
    expect(formatExp(-3.2e-7, 3)).toBe("-3.200E-07");
  });
  it("spells non-finite values like Python's E format", () => {
    expect(formatExp(NaN, 6)).toBe("NAN");
    expect(formatExp(Infinity, 6)).toBe("INF");
    expect(formatExp(-Infinity, 6)).toBe("-INF");
  });
  it("renders fixed and padded ints", () => {
    expect(formatFixed(83.2519, 3)).toBe("83.252");
    expect(formatFixed(24600, 1)).toBe("24600.0");
    expect(formatIntWidth(100, 8)).toBe("     100");
    expect(formatIntWidth(123456789, 8)).toBe("123456789");
    expect(formatIntWidth(0, 3)).toBe("  0");
  });
  it("renders repr(float) like Python", () => {
    expect(pyFloatRepr(0.0003)).toBe("0.0003");
    expect(pyFloatRepr(1e-5)).toBe("1e-05");
    expect(pyFloatRepr(6e-5)).toBe("6e-05");
    expect(pyFloatRepr(10)).toBe("10.0");
    expect(pyFloatRepr(1.5e-7)).toBe("1.5e-07");
    expect(pyFloatRepr(1e16)).toBe("1e+16");
    expect(pyFloatRepr(0.1 * 3)).toBe("0.30000000000000004");
  });
  it("renders flops like NeoX's human_readable_flops", () => {
    expect(humanReadableFlops(95.7e12)).toBe("95.7TFLOPS");
    expect(humanReadableFlops(5)).toBe("5.0");
    expect(humanReadableFlops(1.25e9)).toBe("1.2GFLOPS");
  });
});

describe("against CPython output", () => {
  it("matches every fixture row (fixed 0-4 digits, E with 1/3/6 digits)", async () => {
    const { default: rows } = (await import("./__fixtures__/python-format.json", {
      with: { type: "json" }
    })) as {
      default: string[][];
    };
    expect(rows.length).toBeGreaterThan(100);
    for (const row of rows) {
      const [repr, f0, f1, f2, f3, f4, e1, e3, e6] = row as [string, ...string[]];
      const x = Number(repr);
      expect(
        [0, 1, 2, 3, 4].map((n) => formatFixed(x, n)),
        repr
      ).toEqual([f0, f1, f2, f3, f4]);
      expect(
        [1, 3, 6].map((n) => formatExp(x, n)),
        repr
      ).toEqual([e1, e3, e6]);
    }
  });
});

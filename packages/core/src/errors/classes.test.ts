import { describe, expect, it } from "vitest";
import { SpecError, toNeoxctlError, formatSpecIssues, NeoxctlError, exitStatusFor } from "./index.ts";

describe("errors", () => {
  it("converts unknown throwables at a boundary", () => {
    const e = toNeoxctlError(new TypeError("boom"));
    expect(e).toBeInstanceOf(NeoxctlError);
    expect(e.code).toBe("INTERNAL");
    expect(e.message).toBe("boom");
    expect(toNeoxctlError("str").message).toContain("str");
  });

  it("keeps NeoxctlErrors as they are", () => {
    const e = new SpecError("SPEC_INVALID", [{ path: "a.b", received: "1", rule: "must be 2" }]);
    expect(toNeoxctlError(e)).toBe(e);
    expect(exitStatusFor(e.code)).toBe(2);
    expect(e.name).toBe("SpecError");
  });

  it("formats issues with path, value, rule and position", () => {
    expect(
      formatSpecIssues([
        {
          path: "training.global_batch",
          received: "2000",
          rule: "is not a multiple of micro_batch × dp = 512"
        },
        { path: "", received: "-", rule: "bad indentation", line: 3, column: 5 }
      ])
    ).toBe(
      "training.global_batch: 2000 is not a multiple of micro_batch × dp = 512\n(root): - bad indentation (line 3, column 5)"
    );
  });
});

import { describe, expect, it } from "vitest";
import { ResilienceSchema } from "./resilience.ts";

describe("resilience defaults", () => {
  it("fills every default from an empty block", () => {
    const r = ResilienceSchema.parse({});
    expect(r.spike.lr_factor).toBeCloseTo(1 / 3);
    expect(r.budgets.node).toBe(20);
    expect(r.crash_loop_limit).toBe(3);
  });
  it("rejects unknown keys so typos are not silently ignored", () => {
    expect(ResilienceSchema.safeParse({ budget: {} }).success).toBe(false);
  });
});

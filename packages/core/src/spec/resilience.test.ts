import { describe, expect, it } from "vitest";
import { ResilienceSchema } from "./resilience.ts";

describe("resilience defaults", () => {
  it("fills every default from an empty block", () => {
    const r = ResilienceSchema.parse({});
    expect(r.spike.lr_factor).toBeCloseTo(1 / 3);
    expect(r.budgets.node).toBe(20);
    expect(r.crash_loop_limit).toBe(3);
    expect(r.spike.at_min_lr).toBe("rollback_new_seed");
  });
  it("takes only the two named behaviours at the spike LR floor", () => {
    expect(ResilienceSchema.safeParse({ spike: { at_min_lr: "attention" } }).success).toBe(true);
    expect(ResilienceSchema.safeParse({ spike: { at_min_lr: "skip" } }).success).toBe(false);
  });
  it("rejects unknown keys so typos are not silently ignored", () => {
    expect(ResilienceSchema.safeParse({ budget: {} }).success).toBe(false);
  });
});

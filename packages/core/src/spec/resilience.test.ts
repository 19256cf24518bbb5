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
  it("defaults to no spares", () => {
    const r = ResilienceSchema.parse({});
    // without spares nothing changes: the batch script stays as it was before spares existed
    expect(r.spare_nodes).toBe(0);
    expect(r.max_in_job_restarts).toBe(2);
  });
  it("refuses a negative or fractional spare count", () => {
    expect(ResilienceSchema.safeParse({ spare_nodes: -1 }).success).toBe(false);
    expect(ResilienceSchema.safeParse({ spare_nodes: 0.5 }).success).toBe(false);
    expect(ResilienceSchema.safeParse({ max_in_job_restarts: 0 }).success).toBe(false);
  });
  it("rejects unknown keys so typos are not silently ignored", () => {
    expect(ResilienceSchema.safeParse({ budget: {} }).success).toBe(false);
  });
});

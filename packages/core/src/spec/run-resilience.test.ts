import { describe, expect, it } from "vitest";
import { ResilienceSchema } from "./resilience.ts";
import { runResilience } from "./run-spec.ts";

const base = { resilience: ResilienceSchema.parse({}), training: { min_lr: 1e-5 } };

describe("the resilience policy a run gets", () => {
  it("takes training.min_lr as the spike LR floor when the spike policy names none", () => {
    expect(runResilience(base).spike.min_lr).toBe(1e-5);
    // the spec itself is left as written
    expect(base.resilience.spike.min_lr).toBeUndefined();
  });
  it("keeps a declared spike floor, and sets none when the schedule has no floor", () => {
    const declared = { ...base, resilience: ResilienceSchema.parse({ spike: { min_lr: 2e-5 } }) };
    expect(runResilience(declared).spike.min_lr).toBe(2e-5);
    expect(runResilience({ ...base, training: { min_lr: 0 } }).spike.min_lr).toBeUndefined();
  });
});

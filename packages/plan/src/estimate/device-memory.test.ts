import { describe, expect, it } from "vitest";
import { planRun } from "../plan-run.ts";
import { emmaInput } from "../fixtures.test-support.ts";
import { deviceMemory } from "./device-memory.ts";

describe("model state per GCD", () => {
  const plan = planRun(emmaInput());
  const m = deviceMemory(plan);

  it("splits Llama 3 8B over tp × pp and shards master weights and moments over dp under ZeRO 1", () => {
    const l = plan.layout;
    const per = 8_030_261_248 / (l.tp * Math.max(l.pp, 1));
    expect(m.parametersPerDevice).toBe(per);
    expect(m.weightsBytes).toBe(per * 2);
    expect(m.gradientsBytes).toBe(per * 2);
    expect(m.masterBytes).toBe((per * 4) / l.dp);
    expect(m.optimizerBytes).toBe((per * 8) / l.dp);
    expect(m.modelStateBytes).toBe(m.weightsBytes + m.gradientsBytes + m.masterBytes + m.optimizerBytes);
  });

  it("stage 0 keeps the full 16 bytes per parameter on every GCD, stage 3 shards all of it", () => {
    const at = (zero_stage: number) =>
      deviceMemory({
        ...plan,
        spec: { ...plan.spec, parallelism: { ...plan.spec.parallelism, zero_stage } }
      });
    expect(at(0).modelStateBytes).toBe(m.parametersPerDevice * 16);
    expect(at(3).modelStateBytes).toBeCloseTo((m.parametersPerDevice * 16) / plan.layout.dp, 3);
  });
});

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseClusterProfile, parseDataManifest, parseRunSpec } from "@neoxctl/core";
import { planFiguresOf, planStepEstimateMs } from "./plan-figures.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const read = (rel: string): string => readFileSync(join(REPO, rel), "utf8");

function emma(id: string, profileText = read("clusters/lumi.yaml")) {
  return {
    id,
    createdAt: "2026-01-01T00:00:00.000Z",
    runDir: `/scratch/project_462000000/emma500/runs/${id}`,
    planInput: JSON.parse(
      JSON.stringify({
        spec: parseRunSpec(read("examples/emma500-llama3-8b.yaml"), "emma.yaml"),
        profile: parseClusterProfile(profileText, "lumi.yaml"),
        manifest: parseDataManifest(read("examples/data/emma500-manifest.yaml"), "manifest.yaml")
      })
    ) as unknown
  };
}

describe("plan figures from a run's record", () => {
  it("the guard's estimate is the slow end of the plan's step time, in ms", () => {
    const run = emma("emma-figures");
    const slow = planFiguresOf(run)!.estimates.timing!.stepS.slow;
    expect(planStepEstimateMs(run)).toBeCloseTo(slow * 1000, 6);
    // EMMA-500 on 64 LUMI-G nodes at the profile's pessimistic MFU: tens of seconds per step
    expect(slow).toBeGreaterThan(10);
    expect(slow).toBeLessThan(60);
  });

  it("gives the model state one GCD holds, for the out-of-memory evidence", () => {
    const m = planFiguresOf(emma("emma-memory"))!.memory;
    expect(m.parameters).toBe(8_030_261_248);
    expect(m.modelStateBytes).toBeGreaterThan(m.weightsBytes + m.gradientsBytes);
  });

  it("no `estimates:` in the profile: no estimate, and the guard keeps to the run's own baseline", () => {
    const text = read("clusters/lumi.yaml").replace(/^estimates:[\s\S]*$/m, "");
    expect(text).not.toMatch(/^estimates:/m);
    expect(planStepEstimateMs(emma("emma-no-estimates", text))).toBeUndefined();
  });

  it("a record this version cannot plan gives no figures instead of failing the run", () => {
    expect(planFiguresOf({ id: "bad", createdAt: "x", runDir: "/r", planInput: { spec: 1 } })).toBeNull();
  });
});

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseClusterProfile, parseDataManifest, parseRunSpec } from "@neoxctl/core";
import type { StepPoint } from "../store/series-store.ts";
import { describeSpeed, runSpeed } from "./speed.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const read = (rel: string): string => readFileSync(join(REPO, rel), "utf8");

// the EMMA-500 example on 64 LUMI-G nodes, as the supervisor stores its plan input
const run = {
  id: "emma-speed",
  createdAt: "2026-01-01T00:00:00.000Z",
  runDir: "/scratch/project_462000000/emma500/runs/emma-speed",
  trainIters: 40000,
  planInput: JSON.parse(
    JSON.stringify({
      spec: parseRunSpec(read("examples/emma500-llama3-8b.yaml"), "emma.yaml"),
      profile: parseClusterProfile(read("clusters/lumi.yaml"), "lumi.yaml"),
      manifest: parseDataManifest(read("examples/data/emma500-manifest.yaml"), "manifest.yaml")
    })
  ) as unknown
};

const at = (s: number): string => new Date(Date.parse(run.createdAt) + s * 1000).toISOString();

describe("runSpeed", () => {
  it("measures step time, tokens/s, MFU, ETA and hours spent against the plan", () => {
    const points: StepPoint[] = [
      { step: 10, attempt: 1, stepTimeMs: 30_000, mfuPct: 31.5, hfuPct: 42.0, time: at(0) },
      { step: 130, attempt: 1, stepTimeMs: 30_000, mfuPct: 32.5, hfuPct: 43.3, time: at(3600) }
    ];
    const s = runSpeed({ run, points });
    expect(s.stepTimeS).toBe(30);
    // 16,777,216 tokens per step / 30 s
    expect(s.tokensPerS).toBeCloseTo(559_240.53, 2);
    expect(s.mfuPct).toBe(32.5);
    expect(s.hfuPct).toBe(43.3);
    // (40,000 − 130) × 30 s
    expect(s.etaS).toBe(1_196_100);
    // one hour on 512 GCDs; 64 nodes × 4 GPU-hours per node-hour
    expect(s.spent.deviceHours).toBe(512);
    expect(s.spent.billed).toEqual({ unit: "GPU-hours", units: 256 });
    expect(s.estimate?.stepS.fast).toBeCloseTo(26.078, 3);
    expect(s.estimate?.mfuPct).toEqual({ low: 25, high: 38 });
    const line = describeSpeed(s);
    expect(line).toContain("MFU 32.50% HFU 43.30% (plan 25–38%)");
    expect(line).toContain(
      "spent 512 device-hours of 149,116–226,260 planned, 256 GPU-hours of 74,558–113,130"
    );
  });

  it("says when NeoX logged no MFU", () => {
    const s = runSpeed({ run, points: [{ step: 10, attempt: 1, stepTimeMs: 30_000, time: at(0) }] });
    expect(s.mfuPct).toBeNull();
    expect(describeSpeed(s)).toContain("MFU not logged");
  });
});

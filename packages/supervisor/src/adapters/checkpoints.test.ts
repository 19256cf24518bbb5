import { describe, expect, it } from "vitest";
import type { CheckpointStatus } from "@neoxctl/monitor";
import { validForTimeline } from "./checkpoints.ts";

const ckpt = (step: number, savedAtMs: number | null, complete = true): CheckpointStatus => ({
  tag: `global_step${step}`,
  step,
  complete,
  missing: complete ? [] : ["configs/*"],
  empty: [],
  configFiles: complete ? 1 : 0,
  bytes: 1,
  savedAtMs
});

describe("validForTimeline", () => {
  it("drops checkpoints above a rollback point saved before the rollback, keeps ones rewritten after it", () => {
    const found = [ckpt(100, 1000), ckpt(140, 1400), ckpt(150, 1500), ckpt(160, 2600)];
    expect(validForTimeline({ abandoned: [] }, found)).toEqual([100, 140, 150, 160]);
    expect(validForTimeline({ abandoned: [{ step: 140, since: 2000 }] }, found)).toEqual([100, 140, 160]);
  });

  it("drops incomplete checkpoints", () => {
    expect(validForTimeline({ abandoned: [] }, [ckpt(100, 1000), ckpt(200, null, false)])).toEqual([100]);
  });
});

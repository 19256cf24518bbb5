import { describe, expect, it } from "vitest";
import { validForTimeline } from "./checkpoints.ts";

describe("validForTimeline", () => {
  it("drops checkpoints above a rollback point saved before the rollback, keeps ones rewritten after it", () => {
    const found = [
      { iteration: 100, mtimeMs: 1000 },
      { iteration: 140, mtimeMs: 1400 },
      { iteration: 150, mtimeMs: 1500 },
      { iteration: 160, mtimeMs: 2600 }
    ];
    expect(validForTimeline({ abandoned: [] }, found)).toEqual([100, 140, 150, 160]);
    expect(validForTimeline({ abandoned: [{ step: 140, since: 2000 }] }, found)).toEqual([100, 140, 160]);
  });
});

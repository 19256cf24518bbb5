import { describe, expect, it } from "vitest";
import { isRunId } from "./run-id.ts";

describe("isRunId", () => {
  it("accepts the ids submit makes", () => {
    for (const id of ["emma500-llama3-8b-a1b2c3", "r1", "pythia-410m.v2_x-0f0f0f"])
      expect(isRunId(id)).toBe(true);
  });
  it("refuses what would reach another Redis key or is not an id", () => {
    for (const id of ["r1:attempt:1", "r1:events", "", "-r", "R1", "a b", "../x", "a".repeat(81), "r\u0000"])
      expect(isRunId(id), id).toBe(false);
  });
});

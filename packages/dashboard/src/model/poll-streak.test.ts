import { describe, expect, it } from "vitest";
import { mergePollStreak } from "./poll-streak.ts";

const lumi = { cluster: "lumi", seconds: 0.4, at: "2026-01-01T00:00:00Z" };

describe("mergePollStreak", () => {
  it("adds the failures in a row and the last error to the cluster's last good poll", () => {
    expect(mergePollStreak([lumi], { lumi: "3", "lumi:error": "squeue: timed out" })).toEqual([
      { ...lumi, failures: 3, lastError: "squeue: timed out" }
    ]);
  });

  it("leaves a cluster without a streak as it was (a good poll deleted its fields)", () => {
    expect(mergePollStreak([lumi], {})).toEqual([lumi]);
  });

  it("gives a cluster that never polled well a view of its failures alone, sorted by name", () => {
    expect(mergePollStreak([lumi], { frontier: "2", "frontier:error": "ssh: refused" })).toEqual([
      { cluster: "frontier", failures: 2, lastError: "ssh: refused" },
      lumi
    ]);
  });

  it("ignores counts that are not positive integers", () => {
    expect(mergePollStreak([lumi], { lumi: "0", x: "abc", y: "-1", "z:error": "orphan" })).toEqual([lumi]);
  });
});

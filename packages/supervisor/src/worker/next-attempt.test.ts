import { describe, expect, it } from "vitest";
import { paramDiff } from "./next-attempt.ts";

describe("paramDiff", () => {
  it("records exactly the fields that changed", () => {
    const a = { load: { kind: "init" as const }, lr: 3e-4, seed: 1, excludeNodes: ["nid002"] };
    expect(paramDiff(a, { ...a })).toEqual([]);
    expect(
      paramDiff(a, {
        ...a,
        load: { kind: "resume", iteration: 140 },
        lr: 1e-4,
        excludeNodes: ["nid002", "nid003"]
      }).map((d) => d.field)
    ).toEqual(["load", "lr", "excludeNodes"]);
    expect(paramDiff(a, { ...a, seed: 2 })).toEqual([{ field: "seed", from: 1, to: 2 }]);
  });
});

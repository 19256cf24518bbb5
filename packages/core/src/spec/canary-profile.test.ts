import { describe, expect, it } from "vitest";
import { CanaryProfileSchema } from "./canary-profile.ts";

const ok = { partition: "dev-g", max_nodes: 2, time: "00:30:00", max_time: "03:00:00" };

describe("CanaryProfileSchema", () => {
  it("accepts LUMI's dev-g canary and defaults the extra directives", () => {
    expect(CanaryProfileSchema.parse(ok)).toEqual({ ...ok, extra_directives: [] });
  });

  it("refuses more than 2 nodes and a time over the partition's limit, at the field", () => {
    const big = CanaryProfileSchema.safeParse({ ...ok, max_nodes: 3 });
    expect(big.error?.issues.map((i) => i.path.join("."))).toEqual(["max_nodes"]);
    const long = CanaryProfileSchema.safeParse({ ...ok, time: "04:00:00" });
    expect(long.error?.issues.map((i) => i.path.join("."))).toEqual(["time"]);
  });

  it("reports a malformed time as such, without crashing the comparison", () => {
    const bad = CanaryProfileSchema.safeParse({ ...ok, time: "", max_time: "x" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join(".")).sort()).toEqual(["max_time", "time"]);
  });
});

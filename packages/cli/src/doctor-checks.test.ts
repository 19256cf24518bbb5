import { describe, expect, it } from "vitest";
import { formatDoctor } from "./doctor-checks.ts";

describe("formatDoctor", () => {
  it("one ok/FAIL line per check, then a verdict", () => {
    const text = formatDoctor({
      ok: false,
      checks: [
        { kind: "redis", subject: "redis", ok: true, detail: "reachable" },
        {
          kind: "supervision",
          subject: "lumi",
          ok: false,
          detail: "2 active run(s) and NO live supervisor holds them"
        }
      ]
    });
    expect(text.split("\n")).toEqual([
      "ok   redis       redis: reachable",
      "FAIL supervision lumi: 2 active run(s) and NO live supervisor holds them",
      "1 problem(s); see docs/monitoring.md for what to do",
      ""
    ]);
  });

  it("says so when every check passed", () => {
    expect(formatDoctor({ ok: true, checks: [] })).toBe("all checks passed\n");
  });
});

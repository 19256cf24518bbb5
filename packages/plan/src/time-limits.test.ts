import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError, parseClusterProfile } from "@neoxctl/core";
import { emmaInput, REPO } from "./fixtures.test-support.ts";
import { planRun } from "./plan-run.ts";

const frontier = parseClusterProfile(
  readFileSync(join(REPO, "clusters/frontier.yaml"), "utf8"),
  "frontier.yaml"
);

function problems(time: string): string[] {
  const input = emmaInput((y) =>
    y.replace(/time: "?48:00:00"?/, `time: "${time}"`).replace(/^\s*time_min: .*\n/m, "")
  );
  try {
    planRun({ ...input, profile: frontier });
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => `${i.path}: ${i.rule}`);
    throw err;
  }
  return [];
}

describe("wall-time limits by node count (Frontier batch)", () => {
  // Regression: 64 nodes for 48 h on Frontier's batch partition was planned, which allows 2 h there
  it("refuses more than the limit of the job's size, naming it", () => {
    expect(problems("12:00:00")).toEqual([
      "cluster.time: exceeds frontier's limit for 64 nodes in partition batch: 02:00:00 (jobs of up to 91 nodes)"
    ]);
  });

  it("accepts a time within it", () => {
    expect(problems("02:00:00")).toEqual([]);
  });
});

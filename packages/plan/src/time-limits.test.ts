import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError, parseClusterProfile } from "@neoxctl/core";
import { emmaInput, REPO } from "./fixtures.test-support.ts";
import { planRun } from "./plan-run.ts";

const profile = (name: string) =>
  parseClusterProfile(readFileSync(join(REPO, `clusters/${name}.yaml`), "utf8"), `${name}.yaml`);
const frontier = profile("frontier");
const extended = profile("frontier-extended");

function problems(time: string, on = frontier, nodesEdit: (y: string) => string = (y) => y): string[] {
  const input = emmaInput((y) =>
    nodesEdit(y.replace(/time: "?48:00:00"?/, `time: "${time}"`).replace(/^\s*time_min: .*\n/m, ""))
  );
  try {
    planRun({ ...input, profile: on });
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
      "cluster.time: exceeds frontier's limit for 64 nodes in partition batch: 02:00:00 (jobs of up to 91 nodes); for longer jobs: --cluster frontier-extended (partition extended: up to 64 nodes, 24 h)"
    ]);
  });

  it("accepts a time within it", () => {
    expect(problems("02:00:00")).toEqual([]);
  });
});

describe("Frontier's extended partition (OLCF: up to 64 nodes for 24 h)", () => {
  it("takes the 64-node EMMA job for 24 h, which batch refuses", () => {
    expect(problems("24:00:00", extended)).toEqual([]);
    expect(problems("24:00:00").join("\n")).toContain("for longer jobs: --cluster frontier-extended");
  });

  it("refuses more than 24 h, and more than 64 nodes, naming the limit", () => {
    expect(problems("48:00:00", extended)).toEqual([
      "cluster.time: exceeds frontier-extended's max_time 1-00:00:00"
    ]);
    const bigger = problems("12:00:00", extended, (y) =>
      y.replace("size: {gcds: 512}", "size: {gcds: 1024}")
    );
    expect(bigger.join("\n")).toContain("exceeds frontier-extended's limit of 64 nodes");
  });
});

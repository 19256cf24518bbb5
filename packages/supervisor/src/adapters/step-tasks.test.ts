import { describe, expect, it } from "vitest";
import { expandTaskRange, parseStepTasks, stepSacctArgv } from "./step-tasks.ts";

// rows as `sacct -X -P --noheader -o JobID,State,ExitCode,NodeList,Reason` printed them on the
// local Slurm 22.05 cluster for `sbatch --array=0-2%1` and a retry `sbatch --array=1`
const ROWS = [
  "24_0|COMPLETED|0:0|nid001|None",
  "24_[1-2%1]|PENDING|0:0|None assigned|JobArrayTaskLimit",
  "27_1|FAILED|3:0|nid[002-003]|None",
  "28|NODE_FAIL|0:0|nid004|None",
  "29|CANCELLED by 1000|0:15|nid001|None"
].join("\n");

describe("parseStepTasks", () => {
  it("keys array tasks as <job>_<task>, expands pending ranges and reads exit codes and nodes", () => {
    const m = parseStepTasks(ROWS);
    expect([...m.keys()]).toEqual(["24_0", "24_1", "24_2", "27_1", "28", "29"]);
    expect(m.get("24_2")).toEqual({
      key: "24_2",
      state: "PENDING",
      exitCode: 0,
      nodes: [],
      reason: "JobArrayTaskLimit"
    });
    expect(m.get("27_1")).toMatchObject({ state: "FAILED", exitCode: 3, nodes: ["nid002", "nid003"] });
    expect(m.get("28")?.state).toBe("NODE_FAIL");
    expect(m.get("29")?.state).toBe("CANCELLED");
  });

  it("expands Slurm's task lists and drops the concurrency limit", () => {
    expect(expandTaskRange("0-3%2")).toEqual([0, 1, 2, 3]);
    expect(expandTaskRange("1,4-5")).toEqual([1, 4, 5]);
    expect(expandTaskRange("0-6:3")).toEqual([0, 3, 6]);
  });

  it("asks for allocations only, one call for all jobs", () => {
    expect(stepSacctArgv(["24", "27"]).slice(-2)).toEqual(["-j", "24,27"]);
    expect(stepSacctArgv(["24"])).toContain("-X");
  });
});

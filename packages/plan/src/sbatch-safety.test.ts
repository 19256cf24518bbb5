import { describe, expect, it } from "vitest";
import { SpecError } from "@neoxctl/core";
import { localInput } from "./fixtures.test-support.ts";
import { planRun } from "./plan-run.ts";
import { renderAttempt } from "./render-attempt.ts";
import type { Attempt } from "./types.ts";

function issuePaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => i.path);
    throw err;
  }
  return [];
}

const base: Attempt = { index: 2, runId: "local-demo", load: { kind: "resume" }, excludeNodes: [] };

// Regression: values from the CLI (run dir) and the supervisor (attempt overrides) reach #SBATCH lines
// unquoted; a line break there turned the rest of the value into a bash command.
describe("renderAttempt refuses values that could escape an #SBATCH line", () => {
  it("refuses a run directory with a line break or spaces", () => {
    const plan = planRun({ ...localInput(), runDir: "/tmp/run\ntouch /tmp/pwned" });
    expect(issuePaths(() => renderAttempt(plan, base))).toEqual(["runDir"]);
    const spaced = planRun({ ...localInput(), runDir: "/tmp/my run" });
    expect(issuePaths(() => renderAttempt(spaced, base))).toEqual(["runDir"]);
  });

  it("refuses unsafe attempt overrides and env names", () => {
    const plan = planRun(localInput());
    const attempt: Attempt = {
      ...base,
      timeLimit: "01:00:00\nid",
      dependency: "afterany:1;id",
      excludeNodes: ["nid001", "nid002 $(id)"],
      env: { OK_NAME: "x", "BAD;id": "y" }
    };
    expect(issuePaths(() => renderAttempt(plan, attempt))).toEqual([
      "attempt.timeLimit",
      "attempt.dependency",
      "attempt.excludeNodes[1]",
      "attempt.env.BAD;id"
    ]);
  });

  it("renders ordinary overrides unchanged", () => {
    const plan = planRun(localInput());
    const sbatch = renderAttempt(plan, {
      ...base,
      timeLimit: "00:30:00",
      dependency: "afterany:12",
      excludeNodes: ["nid003"],
      env: { NEOX_EMU_SEED: "1 2" }
    }).files["job.sbatch"]!;
    expect(sbatch).toContain("#SBATCH --exclude=nid003\n");
    expect(sbatch).toContain("export NEOX_EMU_SEED='1 2'\n");
  });
});

describe("renderAttempt refuses NUL bytes in quoted values", () => {
  // regression: bash drops NULs from a script, so the job saw a different path than the plan showed
  it("names every field holding one", () => {
    const input = localInput();
    const profile = { ...input.profile, node_local_tmp: "/tmp\0x", env: { A: "a\0" } };
    const plan = planRun({ ...input, profile });
    expect(issuePaths(() => renderAttempt(plan, base))).toEqual(["node_local_tmp", "env.A"]);
  });
});

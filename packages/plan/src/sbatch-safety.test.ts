import { describe, expect, it } from "vitest";
import { SpecError } from "@neoxctl/core";
import { localInput } from "./fixtures.test-support.ts";
import { planRun } from "./plan-run.ts";
import { renderAttempt } from "./render-attempt.ts";
import type { Attempt, Plan } from "./types.ts";
import { checkSbatchValues } from "./sbatch-safety.ts";

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

/** A plan whose profile skipped the schemas, as one read back from a record could without re-validation. */
function withProfile(edit: (p: Plan["profile"]) => Plan["profile"]): Plan {
  const plan = planRun(localInput());
  return { ...plan, profile: edit(plan.profile) };
}

describe("renderAttempt refuses NUL bytes in quoted values", () => {
  // regression: bash drops NULs from a script, so the job saw a different path than the plan showed
  it("names every field holding one", () => {
    const plan = withProfile((p) => ({ ...p, node_local_tmp: "/tmp\0x", env: { A: "a\0" } }));
    expect(issuePaths(() => renderAttempt(plan, base))).toEqual(["env.A", "node_local_tmp"]);
  });
});

// Regression (issue 13, finding 4): the guard skipped the profile's env names and the CPU masks,
// both written unquoted, so `X=1; touch C; Y` or `0x1;touch C` ran a command when the job started.
describe("the renderer's guard covers every value it interpolates", () => {
  it("refuses a profile env name and a CPU mask that carry a command", () => {
    const plan = withProfile((p) => ({
      ...p,
      env: { "X=1; touch C; Y": "v" },
      scheduler: { ...p.scheduler, ntasks_per_node: 2 },
      cpu_bind_masks: ["0x1;touch C", "0x2"]
    }));
    expect(issuePaths(() => renderAttempt(plan, base))).toEqual(["env.X=1; touch C; Y", "cpu_bind_masks[0]"]);
  });

  it("refuses numbers that are not integers and a directive holding two options", () => {
    const plan = withProfile((p) => ({
      ...p,
      gcds_per_node: "8'; touch C; '" as unknown as number,
      master_port: 1.5,
      scheduler: { ...p.scheduler, extra_directives: ["--comment=a --uid=0"] }
    }));
    expect(issuePaths(() => checkSbatchValues(plan, base))).toEqual([
      "scheduler.extra_directives[0]",
      "gcds_per_node",
      "master_port"
    ]);
  });

  it("refuses option-looking and relative launcher paths, image, binds and repo root", () => {
    const plan = withProfile((p) => ({
      ...p,
      node_local_tmp: "tmp",
      launcher: { kind: "deepy", neox_dir: "-delete", python: "-c" },
      container: { kind: "singularity", image: "--bind=/", binds: ["-x", "/a,/b"] }
    }));
    expect(issuePaths(() => renderAttempt({ ...plan, repoRoot: "./neoxctl" }, base))).toEqual([
      "repoRoot",
      "node_local_tmp",
      "launcher.neox_dir",
      "launcher.python",
      "container.image",
      "container.binds[0]",
      "container.binds[1]"
    ]);
  });

  it("refuses a run id and a config root that would leave their place", () => {
    const plan = planRun(localInput());
    const attempt: Attempt = { ...base, runId: "x\ntouch C", configRoot: "../elsewhere" };
    expect(issuePaths(() => checkSbatchValues(plan, attempt))).toEqual([
      "attempt.runId",
      "attempt.configRoot"
    ]);
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError, parseClusterProfile } from "@neoxctl/core";
import { REPO, emmaInput, localInput } from "../fixtures.test-support.ts";
import { shapeCanary } from "./canary-shape.ts";
import { PHASE2_MARKER, canarySaveDir, planCanary, renderCanary } from "./canary-plan.ts";

describe("planCanary", () => {
  it("shrinks EMMA on LUMI to 2 dev-g nodes, keeping tp/pp and the per-GCD work", () => {
    const c = planCanary({ ...emmaInput(), runId: "emma-smoke-1", steps: 10 });
    expect(c.plan.layout.nodes).toBe(2);
    expect(c.plan.layout.tp).toBe(c.real.layout.tp);
    expect(c.plan.layout.pp).toBe(c.real.layout.pp);
    expect(c.plan.layout.dp).toBe(16 / c.real.layout.tp);
    expect(c.plan.layout.gradAccum).toBe(c.real.layout.gradAccum);
    expect(c.plan.profile.scheduler.partition).toBe("dev-g");
    expect(c.plan.spec.cluster.time).toBe("00:30:00");
    expect(c.plan.spec.training.train_iters).toBe(11);
    // same FLOPs per GCD per step: the canary's own estimate equals the real run's
    expect(c.plan.estimates.timing!.stepS.fast).toBeCloseTo(c.expectedStepS!.fast, 6);
    expect(c.saveDir).toBe(canarySaveDir(c.real.spec.checkpointing.save, "emma-smoke-1"));
    expect(c.saveDir.startsWith(`${c.real.spec.checkpointing.save}-canary/`)).toBe(true);
    // same image, environment and data
    expect(c.plan.profile.container).toEqual(c.real.profile.container);
    expect(c.plan.profile.environment).toEqual(c.real.profile.environment);
    expect(c.plan.data.entries.map((e) => e.path)).toEqual(c.real.data.entries.map((e) => e.path));
    expect(c.plan.spec.init).toEqual(c.real.spec.init);
  });

  it("runs Frontier's canary as a short batch job on 2 nodes", () => {
    // 64 nodes fall in batch's 2-hour bin
    const input = emmaInput((y) =>
      y
        .replace('time: "48:00:00"', 'time: "02:00:00"')
        .replace('time_min: "24:00:00"', 'time_min: "01:00:00"')
    );
    const profile = parseClusterProfile(
      readFileSync(join(REPO, "clusters/frontier.yaml"), "utf8"),
      "frontier.yaml"
    );
    const c = planCanary({ ...input, profile, runId: "emma-smoke-2", steps: 10 });
    expect(c.plan.layout.nodes).toBe(2);
    const job = renderCanary(c)["job.sbatch"]!;
    expect(job).toContain("#SBATCH --partition=batch\n");
    expect(job).toContain("#SBATCH --time=00:30:00\n");
  });

  it("renders a job that loads the run's checkpoint, saves, then loads its own save", () => {
    const c = planCanary({ ...localInput(), runId: "local-smoke-1", steps: 3 });
    const files = renderCanary(c);
    const job = files["job.sbatch"]!;
    expect(job).toContain("#SBATCH --partition=standard-g");
    expect(job).toContain("#SBATCH --nodes=2");
    expect(job).toContain(`neoxctl_checkpoint ${c.real.spec.init.checkpoint} ''`);
    expect(job.indexOf(PHASE2_MARKER)).toBeGreaterThan(job.lastIndexOf("srun --kill-on-bad-exit"));
    expect(job).toMatch(/bash "\$\{RUN_DIR\}\/phase2\/job\.sbatch"\n$/);
    expect(files["neox/attempt.yml"]).toContain(`"exit_interval": 3`);
    const p2 = files["phase2/job.sbatch"]!;
    expect(p2).toContain(`neoxctl_checkpoint ${c.saveDir} global_step3`);
    expect(p2).toContain('"${RUN_DIR}"/phase2/neox/attempt.yml');
    expect(files["phase2/neox/attempt.yml"]).toContain(`"load": "${c.saveDir}"`);
    expect(files["phase2/neox/attempt.yml"]).not.toMatch(/exit_interval/);
  });

  it("explains when one replica does not fit the canary's nodes", () => {
    const real = planCanary({ ...emmaInput(), runId: "x-smoke", steps: 5 }).real;
    // a pipeline of 4 stages × tp 8 needs 4 nodes; the canary has 2
    const layout = { ...real.layout, tp: 8, pp: 4 };
    let caught: unknown;
    try {
      shapeCanary(layout, real.profile.canary!, "lumi");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect((caught as SpecError).issues[0]!.rule).toContain("one model replica needs 4 node(s)");
    expect((caught as SpecError).issues[0]!.rule).toContain("dev-g allows 2");
  });

  it("refuses a profile without a canary section and fewer than 2 steps", () => {
    const input = localInput();
    const { canary: _c, ...bare } = input.profile;
    expect(() => planCanary({ ...input, profile: bare, runId: "x-smoke", steps: 3 })).toThrow(SpecError);
    expect(() => planCanary({ ...input, runId: "x-smoke", steps: 1 })).toThrow(SpecError);
  });
});

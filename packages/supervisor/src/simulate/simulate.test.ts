import { describe, expect, it } from "vitest";
import { ResilienceSchema } from "@neoxctl/core";
import { GOODPUT_CATEGORIES, splitTotal } from "../goodput/categories.ts";
import { FailureModelSchema, SimRunSchema } from "./sim-config.ts";
import type { FailureModel, SimRun } from "./sim-config.ts";
import { SIM_POLICIES, simulateRun } from "./simulate-run.ts";
import { simulate } from "./simulate.ts";
import { Training } from "./timeline.ts";

function emma(over: Partial<SimRun> = {}, resilience: object = {}): SimRun {
  return SimRunSchema.parse({
    train_iters: 40000,
    checkpoint_factor: 500,
    nodes: 64,
    gpus_per_node: 8,
    lr: 1e-4,
    step_s: 24,
    limit_s: 24 * 3600,
    resilience: ResilienceSchema.parse(resilience),
    ...over
  });
}

const NO_FAILURES: FailureModel = FailureModelSchema.parse({
  node_mtbf_h: 1e12,
  crash_mtbf_h: 1e12,
  hang_mtbf_h: 1e12,
  spikes_per_1000_steps: 0,
  queue_wait_h: 0
});

describe("simulateRun", () => {
  it("splits every second of every policy's wall clock, and credits exactly the run's steps as productive", () => {
    const run = emma();
    const model = FailureModelSchema.parse({ node_mtbf_h: 1500, spikes_per_1000_steps: 0.3 });
    for (const policy of SIM_POLICIES)
      for (let seed = 0; seed < 20; seed++) {
        const r = simulateRun(run, model, policy, seed);
        expect(splitTotal(r.split)).toBeCloseTo(r.wallS, 3);
        expect(r.split.productive).toBeCloseTo(run.train_iters * run.step_s, 3);
        for (const c of GOODPUT_CATEGORIES) expect(r.split[c]).toBeGreaterThanOrEqual(0);
      }
  });

  it("replays a seed exactly", () => {
    const model = FailureModelSchema.parse({});
    expect(simulateRun(emma(), model, "neoxctl", 7)).toEqual(simulateRun(emma(), model, "neoxctl", 7));
  });

  it("ends neoxctl's jobs at planned exits (no steps lost to time limits) while the baselines lose them", () => {
    const run = emma();
    const n = simulateRun(run, NO_FAILURES, "neoxctl", 1);
    const h = simulateRun(run, NO_FAILURES, "human", 1);
    expect(n.split.recompute).toBe(0);
    expect(n.split.queue).toBe(0);
    expect(n.attempts).toBeGreaterThan(1);
    expect(h.causes.limit.wallS).toBeGreaterThan(0);
    expect(n.ett).toBeGreaterThan(h.ett);
  });

  it("carries out decide(): a spent node budget stops the run for a human", () => {
    const model = FailureModelSchema.parse({ node_mtbf_h: 1000, human_delay_h: 6 });
    const withBudget = simulateRun(emma(), model, "neoxctl", 3);
    const noBudget = simulateRun(emma({}, { budgets: { node: 0 } }), model, "neoxctl", 3);
    expect(withBudget.humanInterventions).toBe(0);
    expect(noBudget.humanInterventions).toBeGreaterThan(0);
    expect(noBudget.split.human_wait).toBeGreaterThan(0);
  });

  it("spare nodes: a node failure restarts in the job (no queue wait) while a spare remains; spares are billed", () => {
    // node failures only, a certain queue wait per submission, no chained continuations to hide it
    const model = FailureModelSchema.parse({
      node_mtbf_h: 1500,
      crash_mtbf_h: 1e12,
      hang_mtbf_h: 1e12,
      spikes_per_1000_steps: 0,
      queue_wait_h: 1
    });
    let none = 0;
    let one = 0;
    let restarts = 0;
    for (let seed = 0; seed < 20; seed++) {
      const a = simulateRun(emma(), model, "neoxctl", seed);
      const b = simulateRun(emma({}, { spare_nodes: 1 }), model, "neoxctl", seed);
      expect(a.inJobRestarts).toBe(0);
      // every in-job restart is a node failure the run did not resubmit for
      expect(b.attempts + b.inJobRestarts).toBeGreaterThan(b.attempts);
      expect(splitTotal(b.split)).toBeCloseTo(b.wallS, 3);
      expect(b.split.productive).toBeCloseTo(40000 * 24, 3);
      none += a.causes.node.wallS;
      one += b.causes.node.wallS;
      restarts += b.inJobRestarts;
    }
    expect(restarts).toBeGreaterThan(20);
    expect(one).toBeLessThan(none);
    const report = simulate({ run: emma({}, { spare_nodes: 1 }), model, seeds: 5, intervals: [500] });
    const n = report.policies.find((p) => p.policy === "neoxctl")!;
    expect(n.spareNodes).toBe(1);
    // one spare beside 64 nodes: 1/65 of what the jobs held
    expect(n.spareGpuH / n.heldGpuH).toBeCloseTo(1 / 65, 9);
    expect(report.policies.find((p) => p.policy === "slurm")!.spareGpuH).toBe(0);
  });

  it("a hang costs neoxctl its hang timeout, the baselines a person's delay", () => {
    const model = FailureModelSchema.parse({ node_mtbf_h: 1e12, crash_mtbf_h: 1e12, hang_mtbf_h: 2000 });
    const n = simulate({ run: emma(), model, seeds: 10, intervals: [500] });
    const by = Object.fromEntries(n.policies.map((p) => [p.policy, p]));
    expect(by.neoxctl!.splitH.detection).toBeLessThan(by.slurm!.splitH.detection);
    expect(by.neoxctl!.ett.mean).toBeGreaterThan(by.slurm!.ett.mean);
  });
});

describe("simulate", () => {
  it("sweeps checkpoint intervals and recommends the one with the best mean", () => {
    const r = simulate({ run: emma(), model: FailureModelSchema.parse({}), seeds: 5 });
    expect(r.sweep.length).toBeGreaterThan(2);
    for (const row of r.sweep) expect(row.ett.mean).toBeLessThanOrEqual(r.recommended.ett.mean);
    expect(r.young?.optimalIters).toBeGreaterThan(0);
  });
});

describe("training arithmetic with a fractional save time", () => {
  it("the state at the time a step is logged is that step, not one fewer (rounding dust)", () => {
    const run = SimRunSchema.parse({
      train_iters: 40000,
      checkpoint_factor: 500,
      nodes: 64,
      gpus_per_node: 8,
      lr: 1e-4,
      step_s: 24,
      save_s: 13.4,
      limit_s: 86400,
      resilience: ResilienceSchema.parse({})
    });
    const tr = new Training(run, 8000);
    for (const step of [8001, 8333, 8500, 8501, 9999, 10050])
      expect(tr.at(tr.timeToLogged(step), 40000).step).toBe(step);
  });
});

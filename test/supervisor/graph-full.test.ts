import { afterAll, describe, expect, it } from "vitest";
import { createRun, GOODPUT_CATEGORIES, graphProgress, readGoodput } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "./harness.ts";
import { graphScenario } from "./graph-scenario.ts";

// The whole job graph of the local demo under the supervisor on the local Slurm cluster, with the
// planner's step scripts and stand-in tools: convert (HF → NeoX), the tokenize array, merge into
// the blend's prefixes, training with the emulator (started only once those verify), then export.

describe("the whole job graph on the local Slurm cluster", () => {
  const inputs = graphScenario({
    name: "graphfull",
    trainIters: 40,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "20" }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    removeScenario(inputs);
  });

  it("runs convert → tokenize → merge → train → export to completed, every step verified", async () => {
    const t = await testRedis("graph-full");
    cleanup = t.cleanup;
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "graph-full", log);
    const run = await createRun(store, localCluster().exec, {
      ...inputs,
      repoRoot: REPO_ROOT,
      runId: `graphfull-${process.pid}-${Date.now()}`,
      graph: inputs.graph
    });
    const end = ["completed", "needs_attention", "failed", "cancelled"];
    await cycleUntil(sup, async () => end.includes((await store.mustGetRun(run.id)).state), 1500, 300);
    const final = await store.mustGetRun(run.id);
    expect(final.state, `${final.attention ?? ""}\n${log.join("\n")}`).toBe("completed");
    const steps = graphProgress(final.graph!);
    expect(steps.map((s) => s.kind)).toEqual(
      expect.arrayContaining(["convert", "tokenize", "merge", "train", "export"])
    );
    for (const s of steps) expect([s.id, s.state, s.done]).toEqual([s.id, "done", s.total]);
    const events = await store.events(run.id);
    const types = events.map((e) => e.type);
    // training started only after every step before it was verified done
    const firstTrain = types.indexOf("attempt_submitted");
    const lastBefore = events
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.type === "step_completed" && e.evidence.detail?.["step"] !== "train")
      .filter(({ e }) =>
        ["convert", "tokenize", "merge"].some((k) => String(e.evidence.detail?.["step"]).startsWith(k))
      );
    expect(lastBefore.length).toBeGreaterThanOrEqual(3);
    expect(lastBefore.every(({ i }) => i < firstTrain)).toBe(true);
    expect(types.at(-1)).toBe("run_completed");

    // goodput: the steps before and after training are workflow_steps, and the split is the wall clock
    const g = await readGoodput(store, final, Date.now());
    const at = (iso: string): number => Date.parse(iso);
    expect(g.wallS).toBe((at(final.updatedAt) - at(final.createdAt)) / 1000);
    const total = GOODPUT_CATEGORIES.reduce((sum, c) => sum + g.split[c], 0);
    expect(total).toBeCloseTo(g.wallS, 6);
    const trainFrom = events[firstTrain]!;
    const trainDone = events.slice(firstTrain + 1).find((e) => e.type.startsWith("step_"))!;
    expect(trainDone.type).toBe("step_completed");
    const before = (at(trainFrom.time) - at(final.createdAt)) / 1000;
    const after = (at(final.updatedAt) - at(trainDone.time)) / 1000;
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
    expect(g.split.workflow_steps).toBeCloseTo(before + after, 6);
    expect(g.split.productive).toBeGreaterThan(0);
    expect(g.split.human_wait).toBe(0);
    expect(g.ettTraining!).toBeGreaterThan(g.ett!);
  }, 900_000);
});

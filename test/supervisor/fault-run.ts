import { afterAll } from "vitest";
import { createRun } from "@neoxctl/supervisor";
import type { Run, RunStore, StoredEvent } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import type { ScenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "./harness.ts";

/** Short runs for the failure-class tests: 30 steps at 20 ms, a checkpoint every 10, the fault at 15. */
export const TRAIN_ITERS = 30;
export const FAULT_AT = 15;

export interface FaultRunResult {
  run: Run;
  events: StoredEvent[];
  store: RunStore;
  log: string[];
}

export const settled = (r: Run): boolean =>
  ["completed", "needs_attention", "failed", "cancelled"].includes(r.state);

export const recoveries = (events: StoredEvent[]): StoredEvent[] =>
  events.filter((e) => e.type.startsWith("recover_"));

/**
 * Runs one supervised emulator run on the local Slurm cluster with an emulator fault knob set to
 * FAULT_AT, cycling the supervisor until `until` holds. Call at a test file's top level: it
 * registers the clean-up of every run it made.
 */
export function faultRunner(): (
  name: string,
  knob: string,
  until?: (r: Run) => boolean
) => Promise<FaultRunResult> {
  const made: ScenarioInputs[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
    for (const i of made) removeScenario(i);
  });
  return async (name, knob, until = settled) => {
    const inputs = scenarioInputs({
      name,
      trainIters: TRAIN_ITERS,
      lr: 0.0001,
      env: { NEOX_EMU_STEP_MS: "20", [knob]: String(FAULT_AT) }
    });
    made.push(inputs);
    const t = await testRedis(name);
    cleanups.push(t.cleanup);
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, `sup-${name}`, log);
    const created = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
    await cycleUntil(sup, async () => until(await store.mustGetRun(created.id)), 400);
    return { run: await store.mustGetRun(created.id), events: await store.events(created.id), store, log };
  };
}

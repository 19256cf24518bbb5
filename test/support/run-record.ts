import { ResilienceSchema } from "@neoxctl/core";
import { noBudgetUsed } from "@neoxctl/supervisor";
import type { Attempt, Op, Run, RunStore } from "@neoxctl/supervisor";

/**
 * A run record as the supervisor stores it, for tests that seed Redis directly (dashboard, CLI):
 * a fresh run on the test cluster with no attempt yet; `over` replaces whole fields.
 */
export function runRecord(id: string, over: Partial<Run> = {}): Run {
  const now = new Date().toISOString();
  return {
    id,
    name: id,
    state: "running",
    cluster: "testlumi",
    runDir: `/tmp/${id}`,
    trainIters: 100,
    resilience: ResilienceSchema.parse({}),
    planInput: { spec: { name: id }, profile: { name: "testlumi" }, manifest: {} },
    params: { load: { kind: "init" }, lr: 1e-4, seed: 1, excludeNodes: [] },
    attempts: 0,
    budgetsUsed: noBudgetUsed(),
    rollbacks: [],
    crashLoop: null,
    noted: [],
    abandoned: [],
    specLr: 1e-4,
    initFromCheckpoint: false,
    createdAt: now,
    updatedAt: now,
    ...over
  };
}

/** The ops that list a run and store its record (as the supervisor's createRun does), then `more`. */
export function putRunOps(store: RunStore, run: Run, more: readonly Op[] = []): Op[] {
  return [{ op: "sadd", key: store.keys.runs(), value: run.id }, store.putRun(run), ...more];
}

/** Stores `run` with one event, as the supervisor commits it when it carries out a person's command. */
export async function putRunWithEvent(
  store: RunStore,
  run: Run,
  event: Parameters<RunStore["event"]>[1]
): Promise<void> {
  await store.commit(null, putRunOps(store, run, [store.event(run.id, event)]));
}

/**
 * An ended attempt as the supervisor stores it, its files under `dir`: attempt 1 the first, later
 * ones after a node failure; `over` replaces whole fields.
 */
export function attemptRecord(index: number, dir: string, over: Partial<Attempt> = {}): Attempt {
  return {
    index,
    reason: index === 1 ? "first" : "node",
    params: { load: { kind: "init" }, lr: 1e-4, seed: 1, excludeNodes: [] },
    diff: [],
    phase: "ended",
    configDir: `${dir}/a${index}`,
    logPath: `${dir}/a${index}.out`,
    restartsSeen: 0,
    cancelRequested: false,
    createdAt: new Date().toISOString(),
    logOffset: 0,
    ...over
  };
}

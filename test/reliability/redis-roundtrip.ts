import { ResilienceSchema } from "@neoxctl/core";
import { Keys, RunStore, noBudgetUsed, renderFor } from "@neoxctl/supervisor";
import type { AttemptParams, Run } from "@neoxctl/supervisor";
import { testRedis } from "../supervisor/redis-helpers.ts";

/**
 * The supervisor renders every attempt after the first from the run record it reads back from
 * Redis. These helpers put a planInput there (under a key prefix of the test's own) and render from
 * it through the same calls: `RunStore.getRun`, then `renderFor`.
 */
export interface RoundTrip {
  store: RunStore;
  /** key writes and renders done, for the tallies */
  writes: number;
  cleanup(): Promise<void>;
}

export async function openRoundTrip(tag: string): Promise<RoundTrip> {
  const { redis, prefix, cleanup } = await testRedis(tag);
  return { store: new RunStore(redis, new Keys(prefix)), writes: 0, cleanup };
}

export interface StoredAttempt {
  runId: string;
  runDir: string;
  index: number;
  params: AttemptParams;
}

function runRecord(planInput: unknown, a: StoredAttempt): Run {
  const now = new Date(0).toISOString();
  return {
    id: a.runId,
    name: a.runId,
    state: "running",
    cluster: "fuzz",
    runDir: a.runDir,
    trainIters: 1,
    resilience: ResilienceSchema.parse({}),
    planInput,
    params: a.params,
    attempts: a.index,
    budgetsUsed: noBudgetUsed(),
    rollbacks: [],
    crashLoop: null,
    noted: [],
    abandoned: [],
    specLr: a.params.lr,
    initFromCheckpoint: true,
    createdAt: now,
    updatedAt: now
  };
}

/** Writes the run record holding `planInput`, reads it back, renders attempt `a.index` from it. */
export async function renderFromRedis(
  rt: RoundTrip,
  planInput: unknown,
  a: StoredAttempt
): Promise<Record<string, string>> {
  await rt.store.commit(null, [rt.store.putRun(runRecord(planInput, a))]);
  rt.writes++;
  const back = await rt.store.mustGetRun(a.runId);
  return renderFor(back, a.index, back.params).files;
}

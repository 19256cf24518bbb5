import { randomBytes } from "node:crypto";
import type { ClusterProfile, DataManifest, JobGraph, RunSpec } from "@neoxctl/core";
import { runResilience } from "@neoxctl/core";
import type { Executor } from "@neoxctl/exec";
import type { Run } from "../model.ts";
import { noBudgetUsed } from "../model.ts";
import type { RunStore } from "../store/run-store.ts";
import { nextAttempt } from "./next-attempt.ts";
import { writeAttemptFiles, renderFor } from "../adapters/render-attempt.ts";
import { initialGraphRun } from "../graph/graph-state.ts";
import type { GraphSelection } from "../graph/graph-state.ts";

export interface NewRunInput {
  spec: RunSpec;
  profile: ClusterProfile;
  manifest: DataManifest;
  repoRoot: string;
  /** absolute run directory on the cluster */
  runDir: string;
  /** optional fixed id (tests); default `<spec name>-<6 hex>` */
  runId?: string;
  /**
   * the plan's job graph (plan.json `graph`): its steps run before and after training, whose
   * scripts must already be in the run directory; absent: the run is training only
   */
  graph?: JobGraph;
  /** `--from` / `--only`: which steps run even if their records verify */
  selection?: GraphSelection;
}

export function newRunId(name: string): string {
  return `${name}-${randomBytes(3).toString("hex")}`;
}

/**
 * Creates a run in state `planned` with attempt 1's intent, writes its files to the run directory
 * (over SSH when the cluster is remote) and marks it active; a supervisor submits it.
 */
export async function createRun(
  store: RunStore,
  exec: Executor,
  input: NewRunInput,
  now = Date.now()
): Promise<Run> {
  const id = input.runId ?? newRunId(input.spec.name);
  const time = new Date(now).toISOString();
  const t = input.spec.training;
  const run: Run = {
    id,
    name: input.spec.name,
    state: "planned",
    cluster: input.profile.name,
    runDir: input.runDir.replace(/\/+$/, ""),
    trainIters: t.train_iters,
    resilience: runResilience(input.spec),
    planInput: {
      spec: input.spec,
      profile: input.profile,
      manifest: input.manifest,
      repoRoot: input.repoRoot
    },
    params: { load: { kind: "init" }, lr: t.lr, seed: t.seed, excludeNodes: [] },
    attempts: 0,
    budgetsUsed: noBudgetUsed(),
    rollbacks: [],
    crashLoop: null,
    noted: [],
    abandoned: [],
    specLr: t.lr,
    initFromCheckpoint: true,
    ...(input.graph ? { graph: initialGraphRun(input.graph, input.selection) } : {}),
    createdAt: time,
    updatedAt: time
  };
  const first = nextAttempt(run, undefined, run.params, "first", now);
  run.attempts = 1;
  // the files are written now so the run directory can be inspected before the supervisor submits
  await writeAttemptFiles(exec, run, renderFor(run, 1, run.params));
  await store.commit(null, [
    store.putRun(run),
    store.putAttempt(id, first),
    { op: "sadd", key: store.keys.runs(), value: id },
    { op: "sadd", key: store.keys.active(), value: id },
    store.event(id, {
      type: "run_created",
      time,
      cause: `run ${id} planned on ${run.cluster} in ${run.runDir}`,
      to: "planned",
      attempt: 1,
      evidence: {
        detail: {
          trainIters: run.trainIters,
          lr: t.lr,
          seed: t.seed,
          ...(input.graph ? { steps: input.graph.steps.map((s) => s.id) } : {}),
          ...(input.selection ? { selection: input.selection } : {})
        }
      }
    })
  ]);
  return run;
}

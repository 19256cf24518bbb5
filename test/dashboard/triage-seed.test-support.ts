import type { Redis } from "ioredis";
import { ResilienceSchema } from "@neoxctl/core";
import { Keys, noBudgetUsed, RunStore, SeriesStore } from "@neoxctl/supervisor";
import type { Op, Run } from "@neoxctl/supervisor";

/**
 * Live runs with a team and an owner in their stored spec, on two clusters, written through the
 * supervisor's store API next to seedHistory's: what the overview's filters work on.
 */
export interface TeamRuns {
  ids: { id: string; team: string; cluster: string }[];
}

const TEAMS = ["nlp", "vision", "speech"] as const;
const CLUSTERS = ["lumi-g", "frontier"] as const;

export async function seedTeamRuns(redis: Redis, prefix: string, count: number): Promise<TeamRuns> {
  const keys = new Keys(prefix);
  const store = new RunStore(redis, keys);
  const series = new SeriesStore(redis, keys);
  const ops: Op[] = [];
  const ids: TeamRuns["ids"] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const team = TEAMS[i % TEAMS.length] as string;
    const cluster = CLUSTERS[i % CLUSTERS.length] as string;
    const id = `team-${team}-${String(i).padStart(3, "0")}`;
    const created = new Date(now - 6 * 3600_000).toISOString();
    const run: Run = {
      id,
      name: `${team}-ablation-${i}`,
      state: i % 7 === 0 ? "queued" : "running",
      cluster,
      runDir: `/scratch/project/${id}`,
      trainIters: 20000,
      resilience: ResilienceSchema.parse({}),
      planInput: {
        spec: { name: `${team}-ablation-${i}`, team, owner: `user${i % 5}` },
        profile: { name: cluster },
        manifest: {},
        neox: { train_batch_size: 512, seq_length: 4096 }
      },
      params: { load: { kind: "init" }, lr: 2e-4, seed: 1, excludeNodes: [] },
      attempts: 1,
      budgetsUsed: noBudgetUsed(),
      rollbacks: [],
      crashLoop: null,
      noted: [],
      abandoned: [],
      specLr: 2e-4,
      initFromCheckpoint: false,
      createdAt: created,
      updatedAt: new Date(now - i * 1000).toISOString()
    };
    const jobId = String(8100000 + i);
    ops.push(
      { op: "sadd", key: keys.runs(), value: id },
      store.putRun(run),
      store.putAttempt(id, {
        index: 1,
        reason: "first",
        params: run.params,
        diff: [],
        phase: "submitted",
        configDir: `${run.runDir}/attempt-1`,
        logPath: `${run.runDir}/attempt-1/slurm.out`,
        jobId,
        restartsSeen: 0,
        cancelRequested: false,
        createdAt: created,
        logOffset: 0
      }),
      store.event(id, {
        type: "job_started",
        time: new Date(now - 61 * 60_000).toISOString(),
        cause: `job ${jobId} started`,
        from: "queued",
        to: "running",
        attempt: 1,
        evidence: { jobId, nodes: [`nid00${2000 + i * 2}`, `nid00${2001 + i * 2}`] }
      })
    );
    const points = Array.from({ length: 60 }, (_, k) => ({
      step: (k + 1) * 50,
      attempt: 1,
      loss: 4 - Math.log1p(k) * 0.4 + ((k * 7 + i) % 5) * 0.02,
      lr: 2e-4,
      stepTimeMs: 1200 + (i % 9) * 40,
      time: new Date(now - (60 - k) * 60_000).toISOString()
    }));
    ops.push(...series.appendOps(id, points));
    ids.push({ id, team, cluster });
  }
  for (let i = 0; i < ops.length; i += 500) await store.commit(null, ops.slice(i, i + 500));
  // the supervisor's last Slurm poll of one cluster; frontier has never been polled, its polls fail
  await redis.hset(
    keys.slurmPoll(),
    "lumi-g",
    JSON.stringify({ seconds: 0.4, at: new Date().toISOString() })
  );
  await redis.hset(keys.slurmPollStreak(), {
    frontier: "3",
    "frontier:error": "squeue: error: Unable to contact slurm controller (connect failure)"
  });
  return { ids };
}

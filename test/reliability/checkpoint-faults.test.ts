import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "@neoxctl/exec";
import { isFinal, SlurmClient } from "@neoxctl/slurm";
import { createRun, requestControl } from "@neoxctl/supervisor";
import type { RunStore } from "@neoxctl/supervisor";
import { makeImmutable, undoImmutable } from "../support/immutable-dir.ts";
import { REPO_ROOT, removeScenario, scenarioInputs } from "../supervisor/scenario.ts";
import type { ScenarioInputs } from "../supervisor/scenario.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "../supervisor/harness.ts";

// Checkpoint faults on the real local cluster with the emulator: the supervisor must resume from the
// newest COMPLETE checkpoint, or stop with needs_attention; never from an incomplete one, never from scratch.
const slurm = new SlurmClient(new LocalExecutor());
const scenarios: ScenarioInputs[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
  for (const s of scenarios) removeScenario(s);
});

/** Every attempt's load and what its log says it resumed from. */
async function resumeTrail(
  store: RunStore,
  runId: string,
  attempts: number
): Promise<{ attempt: number; load: unknown; firstIteration: number | null; unableToLoad: boolean }[]> {
  const out = [];
  for (let n = 1; n <= attempts; n++) {
    const a = await store.getAttempt(runId, n);
    const log = a && existsSync(a.logPath) ? readFileSync(a.logPath, "utf8") : "";
    const first = /iteration\s+(\d+)\s*\//.exec(log);
    out.push({
      attempt: n,
      load: a?.params.load,
      firstIteration: first ? Number(first[1]) : null,
      unableToLoad: log.includes("Unable to load checkpoint")
    });
  }
  return out;
}

async function jobsPerAttempt(runId: string): Promise<Map<number, number>> {
  const per = new Map<number, number>();
  for (const j of await slurm.findSubmissions(runId))
    per.set(j.tag?.attempt ?? 0, (per.get(j.tag?.attempt ?? 0) ?? 0) + 1);
  return per;
}

async function start(
  name: string,
  env: Record<string, string>
): Promise<{
  inputs: ScenarioInputs;
  store: RunStore;
  sup: ReturnType<typeof makeSupervisor>["sup"];
  runId: string;
  log: string[];
}> {
  const inputs = scenarioInputs({
    name: `${name}-${process.pid % 100000}`,
    trainIters: 60,
    lr: 0.0001,
    checkpointFactor: 10,
    env: { NEOX_EMU_STEP_MS: "40", ...env }
  });
  scenarios.push(inputs);
  const t = await testRedis(name);
  cleanups.push(t.cleanup);
  const log: string[] = [];
  const { sup, store } = makeSupervisor(t.redis, t.prefix, `sup-${name}`, log);
  const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
  return { inputs, store, sup, runId: run.id, log };
}

const settled = (state: string): boolean =>
  state === "completed" || state === "needs_attention" || state === "failed";

describe("checkpoint faults", () => {
  it("`latest` names a checkpoint whose save died half way: resume from the one before", async () => {
    const { store, sup, runId, log, inputs } = await start("ck-latest", { NEOX_EMU_DIE_IN_SAVE_AT: "40" });
    await cycleUntil(sup, async () => settled((await store.mustGetRun(runId)).state), 600);
    const run = await store.mustGetRun(runId);
    const trail = await resumeTrail(store, runId, run.attempts);
    expect(readFileSync(join(inputs.spec.checkpointing.save, "latest"), "utf8").trim()).toMatch(
      /^global_step\d+$/
    );
    expect(run.state, `${log.join("\n")}\n${JSON.stringify(trail)}`).toBe("completed");
    expect(run.attempts).toBeGreaterThanOrEqual(2);
    // attempt 2 loaded step 30, the newest checkpoint with all its files, and its log starts after it
    expect(trail[1]!.load).toEqual({ kind: "resume", iteration: 30 });
    expect(trail[1]!.unableToLoad).toBe(false);
    expect(trail[1]!.firstIteration).toBeGreaterThan(30);
    for (const [attempt, jobs] of await jobsPerAttempt(runId)) expect(jobs, `attempt ${attempt}`).toBe(1);
  }, 600_000);

  it("the newest checkpoint is deleted before the resume: resume from an older one or needs_attention, never from scratch", async () => {
    // slow steps leave about a second between save 50 and the crash at 59 for the deletion to land
    const { store, sup, runId, log, inputs } = await start("ck-deleted", {
      NEOX_EMU_CRASH_AT: "59",
      NEOX_EMU_STEP_MS: "120"
    });
    const save = inputs.spec.checkpointing.save;
    let deleted = false;
    await cycleUntil(
      sup,
      async () => {
        const run = await store.mustGetRun(runId);
        // attempt 1's newest checkpoint (50) is removed while it runs on towards its crash, as a purge or a
        // user would; the supervisor finds out only when it lists checkpoints to resume
        if (!deleted && run.attempts === 1 && existsSync(join(save, "global_step50", "configs"))) {
          rmSync(join(save, "global_step50"), { recursive: true, force: true });
          deleted = true;
        }
        return settled(run.state);
      },
      600
    );
    const run = await store.mustGetRun(runId);
    const trail = await resumeTrail(store, runId, run.attempts);
    const detail = `${log.join("\n")}\n${JSON.stringify(trail)}`;
    expect(deleted, detail).toBe(true);
    expect(["completed", "needs_attention"], detail).toContain(run.state);
    for (const t of trail.slice(1)) {
      // from scratch would mean a first logged iteration at or below the checkpoint it should have loaded
      expect(t.load, detail).toMatchObject({ kind: "resume" });
      if (run.state === "completed") expect(t.unableToLoad, detail).toBe(false);
      if (t.firstIteration !== null && !t.unableToLoad) expect(t.firstIteration, detail).toBeGreaterThan(10);
    }
    if (run.state === "completed") expect(trail[1]!.load, detail).toEqual({ kind: "resume", iteration: 40 });
    for (const [attempt, jobs] of await jobsPerAttempt(runId)) expect(jobs, `attempt ${attempt}`).toBe(1);
  }, 600_000);

  it("the checkpoint directory stops accepting writes mid-run: needs_attention at the first refused save, with the evidence; resumes from the newest complete checkpoint once fixed", async () => {
    // slow steps leave ~1.5 s between save 30 and save 40 for the lock to land
    const { store, sup, runId, log, inputs } = await start("ck-unwritable", { NEOX_EMU_STEP_MS: "150" });
    const save = inputs.spec.checkpointing.save;
    // root ignores chmod; an immutable directory refuses new entries even to root (EPERM), as a
    // directory without write permission refuses them to its user
    cleanups.push(async () => undoImmutable(save));
    cleanups.push(async () => {
      const live = (await slurm.findSubmissions(runId)).filter((j) => !isFinal(j.state)).map((j) => j.jobId);
      if (live.length) await slurm.cancel(live);
    });
    let lockedAt: string | null = null;
    const watcher = setInterval(() => {
      // after at least one good checkpoint: the newest one is whole (configs/ is written last)
      if (lockedAt !== null || !existsSync(join(save, "global_step30", "configs"))) return;
      lockedAt = readFileSync(join(save, "latest"), "utf8");
      makeImmutable(save);
    }, 20);
    let cyclesToStop: number;
    try {
      cyclesToStop = await cycleUntil(sup, async () => settled((await store.mustGetRun(runId)).state), 600);
    } finally {
      clearInterval(watcher);
    }
    const run = await store.mustGetRun(runId);
    const events = await store.events(runId);
    const detail = `${log.join("\n")}\n${JSON.stringify(events.map((e) => [e.type, e.cause]))}`;
    expect(lockedAt, detail).toBe("global_step30");
    const good = 30;
    const refused = good + 10;

    // stopped at the first refused save: one attempt, no retry burned, no budget spent
    expect(run.state, detail).toBe("needs_attention");
    expect(run.attempts, detail).toBe(1);
    expect(run.budgetsUsed.app, detail).toBe(0);
    expect(
      events.filter((e) => e.type.startsWith("recover_")),
      detail
    ).toEqual([]);
    // the trainer failed as NeoX does, and the lines that say so are the event's evidence
    const a1 = (await store.getAttempt(runId, 1))!;
    const log1 = readFileSync(a1.logPath, "utf8");
    const dsLine = `Failed saving model checkpoint to ${save} with tag global_step${refused}`;
    const raised = `RuntimeError: Parent directory ${join(save, `global_step${refused}`)} does not exist.`;
    expect(log1).toContain(dsLine);
    expect(log1).toContain(raised);
    const attention = events.find((e) => e.type === "needs_attention");
    expect(attention?.cause, detail).toMatch(
      new RegExp(
        `checkpoint ${refused} could not be saved.*not retrying.*resume \\(from checkpoint ${good}\\)`
      )
    );
    expect(
      attention?.evidence.logLines?.some((l) => l.endsWith(dsLine)),
      detail
    ).toBe(true);
    expect(attention?.evidence.logLines, detail).toContain(raised);
    expect(attention?.evidence.checkpoint, detail).toBe(good);
    expect(attention?.evidence.detail?.["storage"], detail).toEqual({
      fault: "unwritable",
      path: join(save, `global_step${refused}`),
      step: refused
    });
    // nothing half-written: latest still names the good checkpoint, and no directory for the refused one
    expect(readFileSync(join(save, "latest"), "utf8")).toBe(`global_step${good}`);
    expect(existsSync(join(save, `global_step${refused}`))).toBe(false);
    // the job was cancelled: it ends (COMPLETING while srun tears the ranks and their container down)
    let stopped = await slurm.findSubmissions(runId);
    for (let i = 0; i < 60 && stopped.some((j) => !isFinal(j.state)); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      stopped = await slurm.findSubmissions(runId);
    }
    expect(
      stopped.map((j) => j.state).filter((st) => !isFinal(st)),
      detail
    ).toEqual([]);

    // the operator fixes the directory and resumes: the newest complete checkpoint, not scratch
    undoImmutable(save);
    await requestControl(store, runId, { kind: "resume" });
    const cyclesToFinish = await cycleUntil(
      sup,
      async () =>
        (await store.mustGetRun(runId)).state === "completed" ||
        (await store.mustGetRun(runId)).state === "failed",
      600
    );
    const after = await store.mustGetRun(runId);
    const trail = await resumeTrail(store, runId, after.attempts);
    const detail2 = `${detail}\n${log.join("\n")}\n${JSON.stringify(trail)}`;
    expect(after.state, detail2).toBe("completed");
    expect(after.attempts, detail2).toBe(2);
    expect(trail[1], detail2).toMatchObject({
      load: { kind: "resume", iteration: good },
      unableToLoad: false,
      firstIteration: good + 1
    });
    for (const [attempt, jobs] of await jobsPerAttempt(runId)) expect(jobs, `attempt ${attempt}`).toBe(1);
    const jobs = await slurm.findSubmissions(runId);
    expect(jobs.map((j) => j.state).filter((st) => !isFinal(st))).toEqual([]);
    const out = join(REPO_ROOT, "test-results", "reliability");
    mkdirSync(out, { recursive: true });
    const summary = {
      lockedAt,
      refusedStep: refused,
      attemptsAtAttention: run.attempts,
      seenAs: attention?.evidence.slurmState,
      cyclesToStop,
      cause: attention?.cause,
      resumedFrom: trail[1]?.load,
      attemptsTotal: after.attempts,
      cyclesToFinish,
      jobs: jobs.map((j) => ({ attempt: j.tag?.attempt, state: j.state, exitCode: j.exitCode }))
    };
    writeFileSync(join(out, "checkpoint-unwritable.json"), JSON.stringify(summary, null, 2) + "\n");
  }, 600_000);
});

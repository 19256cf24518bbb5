import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { createRun } from "@neoxctl/supervisor";
import type { RunStore } from "@neoxctl/supervisor";
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
async function resumeTrail(store: RunStore, runId: string, attempts: number): Promise<{ attempt: number; load: unknown; firstIteration: number | null; unableToLoad: boolean }[]> {
  const out = [];
  for (let n = 1; n <= attempts; n++) {
    const a = await store.getAttempt(runId, n);
    const log = a && existsSync(a.logPath) ? readFileSync(a.logPath, "utf8") : "";
    const first = /iteration\s+(\d+)\s*\//.exec(log);
    out.push({ attempt: n, load: a?.params.load, firstIteration: first ? Number(first[1]) : null, unableToLoad: log.includes("Unable to load checkpoint") });
  }
  return out;
}

async function jobsPerAttempt(runId: string): Promise<Map<number, number>> {
  const per = new Map<number, number>();
  for (const j of await slurm.findSubmissions(runId)) per.set(j.tag?.attempt ?? 0, (per.get(j.tag?.attempt ?? 0) ?? 0) + 1);
  return per;
}

async function start(name: string, env: Record<string, string>): Promise<{ inputs: ScenarioInputs; store: RunStore; sup: ReturnType<typeof makeSupervisor>["sup"]; runId: string; log: string[] }> {
  const inputs = scenarioInputs({ name: `${name}-${process.pid % 100000}`, trainIters: 60, lr: 0.0001, checkpointFactor: 10, env: { NEOX_EMU_STEP_MS: "40", ...env } });
  scenarios.push(inputs);
  const t = await testRedis(name);
  cleanups.push(t.cleanup);
  const log: string[] = [];
  const { sup, store } = makeSupervisor(t.redis, t.prefix, `sup-${name}`, log);
  const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
  return { inputs, store, sup, runId: run.id, log };
}

const settled = (state: string): boolean => state === "completed" || state === "needs_attention" || state === "failed";

describe("checkpoint faults", () => {
  it("`latest` names a checkpoint whose save died half way: resume from the one before", async () => {
    const { store, sup, runId, log, inputs } = await start("ck-latest", { NEOX_EMU_DIE_IN_SAVE_AT: "40" });
    await cycleUntil(sup, async () => settled((await store.mustGetRun(runId)).state), 600);
    const run = await store.mustGetRun(runId);
    const trail = await resumeTrail(store, runId, run.attempts);
    expect(readFileSync(join(inputs.spec.checkpointing.save, "latest"), "utf8").trim()).toMatch(/^global_step\d+$/);
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
    const { store, sup, runId, log, inputs } = await start("ck-deleted", { NEOX_EMU_CRASH_AT: "59", NEOX_EMU_STEP_MS: "120" });
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
});

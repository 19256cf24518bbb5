import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { createRun } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "../supervisor/scenario.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { localCluster, makeSupervisor } from "../supervisor/harness.ts";

// The Slurm controller stopped under a running job: 60 s with NEOXCTL_LONG_TESTS=1 (the issue's figure),
// 10 s otherwise. The supervisor must wait it out: no recovery, no needs_attention, no second job.
const LONG = process.env.NEOXCTL_LONG_TESTS === "1";
const DOWN_MS = LONG ? 60_000 : 10_000;
// short: the job (300 × 100 ms) outlives the outage, so the supervisor must only wait. Long: the job
// (150 × 100 ms) ends while the controller is down, which the supervisor must still read as completion.
const TRAIN_ITERS = LONG ? 150 : 300;
const RUNTIME_DIR = process.env.NEOXCTL_TESTCLUSTER_DIR ?? "/var/lib/neoxctl-testcluster";
const CTLD_PID = join(RUNTIME_DIR, "run", "slurmctld.pid");

function stopController(): void {
  const pid = Number(readFileSync(CTLD_PID, "utf8").trim());
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    execFileSync("sleep", ["0.1"]);
  }
  throw new Error("slurmctld did not stop");
}

/** Whether a controller runs now: other test files' setup (up.sh) may restart it during our outage. */
function controllerUp(): boolean {
  try {
    process.kill(Number(readFileSync(CTLD_PID, "utf8").trim()), 0);
    return true;
  } catch {
    return false;
  }
}

/** up.sh is idempotent: it starts only what is not running and waits until the nodes answer. */
function startController(): void {
  const r = spawnSync("bash", [join(REPO_ROOT, "test/cluster/up.sh")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`up.sh failed: ${r.stderr}`);
}

describe("slurmctld stopped mid-run", () => {
  const inputs = scenarioInputs({
    name: `ctld-outage-${process.pid % 100000}`,
    trainIters: TRAIN_ITERS,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "100" }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    startController(); // whatever happened, the shared cluster is left running
    await cleanup?.();
    removeScenario(inputs);
  });

  const training = async (runDir: string): Promise<boolean> => {
    const log = join(runDir, "logs", "attempt-1.out");
    return existsSync(log) && /iteration\s+\d+\s*\//.test(readFileSync(log, "utf8"));
  };

  it(`waits through a ${DOWN_MS / 1000} s controller outage and completes with one job`, async () => {
    const t = await testRedis("ctld");
    cleanup = t.cleanup;
    const log: string[] = [];
    const { sup, store } = makeSupervisor(t.redis, t.prefix, "sup-ctld", log);
    const run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });

    let outageCycles = 0;
    let outageErrors = 0;
    let restartedEarly = false;
    let stopped = false;
    for (let i = 0; i < 2000; i++) {
      const state = (await store.mustGetRun(run.id)).state;
      if (state === "completed" || state === "needs_attention" || state === "failed") break;
      // mid-run: once the ranks train. Stopped earlier, the per-rank launch's own srun steps (argv,
      // prebuild, the ranks) cannot be created without the controller and the job fails at start
      if (!stopped && (await training(run.runDir))) {
        stopController();
        stopped = true;
        const until = Date.now() + DOWN_MS;
        while (Date.now() < until) {
          try {
            await sup.cycle();
          } catch {
            outageErrors++;
          }
          outageCycles++;
          const during = (await store.mustGetRun(run.id)).state;
          // with the controller back early (restarted by another test), the job may be seen to end
          if (controllerUp()) {
            restartedEarly = true;
            expect(["running", "completed"]).toContain(during);
          } else expect(during).toBe("running");
          await new Promise((r) => setTimeout(r, 500));
        }
        startController();
      }
      await sup.cycle();
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(
      `slurmctld-outage: ${DOWN_MS} ms down, ${outageCycles} supervisor cycles during it, ${outageErrors} threw${restartedEarly ? ", controller restarted early by someone else" : ""}`
    );

    const final = await store.mustGetRun(run.id);
    const events = await store.events(run.id);
    const trail = `${events.map((e) => `${e.type}: ${e.cause}`).join("\n")}\n${log.slice(-20).join("\n")}`;
    expect(stopped).toBe(true);
    expect(final.state, trail).toBe("completed");
    expect(final.attempts, trail).toBe(1);
    expect(
      events.map((e) => e.type),
      trail
    ).toEqual(["run_created", "attempt_submitted", "job_started", "run_completed"]);
    const jobs = await new SlurmClient(new LocalExecutor()).findSubmissions(run.id);
    expect(jobs.map((j) => j.jobId)).toEqual([(await store.getAttempt(run.id, 1))!.jobId]);
  }, 600_000);
});

import { execFileSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRun, Keys, RunStore } from "@neoxctl/supervisor";
import { graphRig, runJobsInAccounting } from "./graph-harness.ts";
import { testRedis } from "./redis-helpers.ts";
import { localCluster } from "./harness.ts";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { killHard, ready, startSupervisor } from "./supervise-process.ts";

// A real `neoxctl supervise` SIGKILLed in the two windows of a graph step's submission, on the
// local Slurm cluster: after sbatch made the job but before its id was recorded (convert, then the
// tokenize array), and after the submission was recorded but before sbatch reached Slurm (merge).
// Each restart must adopt the job by its nonce or send the submission once, never a second job,
// and never a stale job an earlier run under the same run id left queued with the same tag.
//
// The windows are hit on purpose: a stand-in `sbatch` first on the supervisor's PATH passes every
// command to the real one, and holds the n-th step submission (its tag says attempt 0) where the
// test asks, leaving a marker; the test then kills the supervisor.

const inputs = scenarioInputs({ name: "graphkill", trainIters: 20, lr: 0.0001, env: {} });
const WAIT_MS = 120_000;

/** The stand-in sbatch: `pause-<n>` in `ctl` says where the n-th step submission stops (before|after). */
function sbatchStandIn(dir: string, ctl: string): void {
  const real = execFileSync("bash", ["-c", "command -v sbatch"], { encoding: "utf8" }).trim();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "sbatch"),
    `#!/bin/bash
# test stand-in: holds the supervisor's n-th graph step submission where ${ctl}/pause-<n> says
case " $* " in *"attempt=0;"*) ;; *) exec ${real} "$@" ;; esac
n=$(cat ${ctl}/count 2>/dev/null || echo 0)
echo $((n + 1)) > ${ctl}/count
pause=$(cat ${ctl}/pause-$n 2>/dev/null || true)
if [ "$pause" = before ]; then
  touch ${ctl}/paused-$n
  sleep 5
  # the supervisor died meanwhile: as in a crash, its sbatch never reaches Slurm
  kill -0 "$PPID" 2>/dev/null || exit 1
fi
out=$(${real} "$@"); rc=$?
if [ "$pause" = after ]; then echo "$out" > ${ctl}/paused-$n; sleep 5; fi
echo "$out"
exit $rc
`,
    { mode: 0o755 }
  );
}

async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  // bounded so a wedged cluster fails the test instead of hanging it
  for (let waited = 0; waited < WAIT_MS; waited += 200) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("graph step submissions survive a supervisor SIGKILL", () => {
  let child: ChildProcess | undefined;
  let stale: string | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    if (child) await killHard(child);
    if (stale) execFileSync("scancel", [stale]);
    await cleanup?.();
    removeScenario(inputs);
  });

  it("adopts the job of a killed supervisor's sbatch, sends a recorded one once, never a stale job: one job per step", async () => {
    const t = await testRedis("graph-kill9");
    cleanup = t.cleanup;
    const store = new RunStore(t.redis, new Keys(t.prefix));
    const rig = graphRig(join(inputs.root, "g"), join(inputs.root, "g/run"), { tokenizeTasks: 3 });
    const id = `graphkill-${process.pid}-${Date.now()}`;
    await createRun(store, localCluster().exec, {
      ...inputs,
      repoRoot: REPO_ROOT,
      runDir: rig.runDir,
      runId: id,
      graph: rig.graph
    });
    // a job an earlier run under this id left queued: same name and tag, its own nonce
    stale = execFileSync(
      "sbatch",
      [
        "--parsable",
        "--hold",
        `--job-name=neoxctl-${id}`,
        `--comment=neoxctl:run=${id};attempt=0;nonce=0ld0ld0ld0ld`,
        "--output=/dev/null",
        "--wrap=true"
      ],
      { encoding: "utf8" }
    ).trim();

    const ctl = join(inputs.root, "sbatch-ctl");
    mkdirSync(ctl, { recursive: true });
    sbatchStandIn(join(inputs.root, "bin"), ctl);
    // submissions 0, 1: convert and the tokenize array, killed after sbatch; 2: merge, killed before
    writeFileSync(join(ctl, "pause-0"), "after");
    writeFileSync(join(ctl, "pause-1"), "after");
    writeFileSync(join(ctl, "pause-2"), "before");
    const env = { PATH: `${join(inputs.root, "bin")}:${process.env.PATH ?? ""}` };

    const out: string[] = [];
    child = startSupervisor(t.prefix, out, env);
    for (const n of [0, 1, 2]) {
      await until(`step submission ${n} to pause`, () => existsSync(join(ctl, `paused-${n}`)));
      await killHard(child);
      const mark = out.length;
      child = startSupervisor(t.prefix, out, env);
      await ready(out, mark);
    }
    const end = ["completed", "needs_attention", "failed", "cancelled"];
    await until("the run to end", async () => end.includes((await store.mustGetRun(id)).state)).catch(
      async (e: unknown) => {
        const r = await store.mustGetRun(id);
        const trail = (await store.events(id)).map((x) => `${x.type}: ${x.cause}`).join("\n");
        throw new Error(
          `${String(e)}\nstate ${r.state} ${JSON.stringify(r.graph?.steps)}\n${trail}\n${out.slice(-40).join("")}`
        );
      }
    );
    await killHard(child);

    const run = await store.mustGetRun(id);
    const events = await store.events(id);
    const trail = events.map((e) => `${e.type}: ${e.cause}`).join("\n") + "\n" + out.slice(-20).join("");
    expect(run.state, trail).toBe("completed");
    // one job per step, the one the step recorded
    const steps = run.graph!.steps;
    expect(
      steps.map((s) => [s.id, s.state, s.jobIds.length]),
      trail
    ).toEqual([
      ["convert", "done", 1],
      ["tokenize", "done", 1],
      ["merge", "done", 1]
    ]);
    const recorded = steps.map((s) => s.jobIds[0]!);
    // accounting hears of a job's end a moment after slurmctld: wait for all three
    await until("accounting to list the recorded jobs", () => {
      const known = runJobsInAccounting(id);
      return recorded.every((j) => known.has(j));
    });
    const inSlurm = runJobsInAccounting(id);
    // the stale job is held, never eligible, so only the queue lists it: still there, never adopted
    inSlurm.delete(stale!);
    expect(new Set(inSlurm.keys()), trail).toEqual(new Set(recorded));
    const queued = execFileSync("squeue", ["-h", "-j", stale!, "-o", "%i %T %k"], { encoding: "utf8" });
    expect(queued.trim()).toBe(`${stale} PENDING neoxctl:run=${id};attempt=0;nonce=0ld0ld0ld0ld`);
    // each job carries its own nonce: no two submissions under one
    const nonces = recorded.map((j) => /;nonce=([0-9a-z]+)/.exec(inSlurm.get(j) ?? "")?.[1]);
    expect(new Set(nonces).size).toBe(3);
    expect(recorded).not.toContain(stale);
    // the windows were hit: convert and the array adopted, merge sent on restart
    const submitted = events.filter((e) => e.type === "step_submitted");
    expect(
      submitted.map((e) => [e.evidence.detail?.["step"], e.evidence.jobId]),
      trail
    ).toEqual(steps.map((s) => [s.id, s.jobIds[0]]));
    expect(
      submitted.map((e) => Object.keys(e.evidence.detail ?? {}).filter((k) => k.endsWith("AfterRestart")))
    ).toEqual([["adoptedAfterRestart"], ["adoptedAfterRestart"], ["sentAfterRestart"]]);
    expect(existsSync(`${rig.root}/merged/g0.bin`)).toBe(true);
  }, 600_000);
});

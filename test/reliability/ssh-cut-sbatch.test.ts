import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ExecError } from "@neoxctl/core";
import type { EventType } from "@neoxctl/core";
import { createExecutor } from "@neoxctl/exec";
import type { ExecOptions, ExecResult, Executor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import {
  SlurmAdapter,
  createRun,
  execTargetOf,
  Keys,
  LeaseManager,
  RunStore,
  Supervisor
} from "@neoxctl/supervisor";
import { SSH_FILES, SSHD_HOST, SSHD_PORT, ensureSshd } from "../support/targets.ts";
import { REPO_ROOT, removeScenario, scenarioInputs } from "../supervisor/scenario.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { attemptRecords, cycleUntil, jobsVersusRecords } from "../supervisor/harness.ts";

/**
 * Kills the sshd session processes serving this test process's connections to the test sshd: the
 * TCP connection really drops, as when a login node goes away. Other processes' sessions are untouched.
 */
function cutMySshConnections(): number {
  const ss = spawnSync("ss", ["-tnpH", "state", "established"], { encoding: "utf8" }).stdout;
  const myPorts = ss
    .split("\n")
    .filter((l) => l.includes(`${SSHD_HOST}:${SSHD_PORT}`) && l.includes(`pid=${process.pid},`))
    .map((l) => /\s127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:2222/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
  let cut = 0;
  for (const port of myPorts) {
    for (const line of ss
      .split("\n")
      .filter((l) => new RegExp(`127\\.0\\.0\\.1:2222\\s+127\\.0\\.0\\.1:${port}\\b`).test(l))) {
      for (const m of line.matchAll(/pid=(\d+)/g)) {
        process.kill(Number(m[1]), "SIGKILL");
        cut++;
      }
    }
  }
  return cut;
}

/**
 * The supervisor's executor, except that the first `sbatch` goes through to the cluster (the job is
 * accepted) and then the connection is cut before the answer is used: the supervisor sees only a lost
 * connection, not the job id.
 */
class CutAfterSbatch implements Executor {
  cuts = process.env.NEOXCTL_SSHCUT_OFF === "1" ? -1 : 0;
  constructor(private readonly inner: Executor) {}
  get kind(): Executor["kind"] {
    return this.inner.kind;
  }
  get target(): string {
    return this.inner.target;
  }
  async run(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    if (process.env.NEOXCTL_TEST_DEBUG === "1")
      process.stderr.write(`[sshcut] run ${argv.slice(0, 3).join(" ")}\n`);
    const result = await this.inner.run(argv, options);
    if (argv[0] === "sbatch" && this.cuts === 0) {
      this.cuts = cutMySshConnections();
      throw new ExecError("SSH_CONNECT", `connection to ${this.inner.target} lost during sbatch (injected)`);
    }
    return result;
  }
  readFrom(path: string, offset: number, maxBytes?: number): Promise<{ data: Buffer; size: number }> {
    return this.inner.readFrom(path, offset, maxBytes);
  }
  writeFile(path: string, contents: string | Buffer, mode?: number): Promise<void> {
    return this.inner.writeFile(path, contents, mode);
  }
  uploadDir(localDir: string, remoteDir: string): Promise<void> {
    return this.inner.uploadDir(localDir, remoteDir);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** What a run may record besides the cut: starts, the end, and recoveries from another test's DOWN node. */
const TOLERATED: ReadonlySet<EventType> = new Set<EventType>([
  "run_created",
  "attempt_submitted",
  "job_started",
  "recover_node",
  "run_completed"
]);

// Runs in the default suite. It once stalled in `queued`: the adopted job had run and ended before the
// supervisor first polled it, and `queued → completed` is not a transition (fixed in the stepper; the
// deterministic regression test is test/supervisor/unseen-start.test.ts).
describe("SSH connection cut during sbatch", () => {
  const inputs = scenarioInputs({
    name: `ssh-cut-${process.pid % 100000}`,
    trainIters: 40,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "20" }
  });
  inputs.profile.access = {
    kind: "ssh",
    host: SSHD_HOST,
    port: SSHD_PORT,
    user: "root",
    identity_file: SSH_FILES.identityFile,
    known_hosts_file: SSH_FILES.knownHosts
  };
  let exec: CutAfterSbatch | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await exec?.close();
    await cleanup?.();
    removeScenario(inputs);
  });

  it("the accepted job is adopted, never submitted twice; the run completes", async () => {
    ensureSshd();
    const t = await testRedis("sshcut");
    cleanup = t.cleanup;
    const keys = new Keys(t.prefix);
    const store = new RunStore(t.redis, keys);
    const setup = await createExecutor(execTargetOf(inputs.profile.access));
    const run = await createRun(store, setup, { ...inputs, repoRoot: REPO_ROOT });
    await setup.close();

    exec = new CutAfterSbatch(await createExecutor(execTargetOf(inputs.profile.access)));
    const handle = { exec, slurm: new SlurmAdapter(new SlurmClient(exec)) };
    const log: string[] = [];
    const sup = new Supervisor(store, new LeaseManager(t.redis, keys, "sup-sshcut", 5000), () => handle, {
      log: (l) => {
        log.push(l);
        if (process.env.NEOXCTL_TEST_DEBUG === "1") process.stderr.write(`[sshcut] ${l}\n`);
      }
    });
    let cycleErrors = 0;
    await cycleUntil(
      {
        cycle: async () => {
          try {
            return await sup.cycle();
          } catch (err) {
            if (process.env.NEOXCTL_TEST_DEBUG === "1")
              process.stderr.write(`[sshcut] cycle threw: ${String(err)}\n`);
            cycleErrors++;
            return undefined;
          }
        }
      } as unknown as Supervisor,
      async () => ["completed", "needs_attention", "failed"].includes((await store.mustGetRun(run.id)).state),
      // a bound on work, not a wait: a cluster busy with other tests' jobs can keep this one pending
      2000
    );
    await sup.release();
    const final = await store.mustGetRun(run.id);
    const events = await store.events(run.id);
    const trail = `${events.map((e) => `${e.type}: ${e.cause}`).join("\n")}\n${log.join("\n")}`;
    console.log(`ssh-cut-sbatch: ${exec.cuts} sshd sessions cut, ${cycleErrors} cycles threw`);
    expect(exec.cuts, trail).toBeGreaterThan(0);
    expect(final.state, trail).toBe("completed");
    // The cluster is shared: another test may set a node of this run's job DOWN meanwhile, and the
    // run then recovers onto other nodes with a new attempt. Only this run's own jobs (its tag) and
    // only node recoveries are allowed besides the cut; anything the cut could cause is not.
    const attempts = await attemptRecords(store, run.id, final.attempts);
    for (const a of attempts.slice(1)) expect(a.reason, trail).toBe("node");
    expect(
      events.filter((e) => !TOLERATED.has(e.type)).map((e) => e.type),
      trail
    ).toEqual([]);
    // one submission event per attempt; attempt 1's is the job the cut sbatch created, adopted
    const submitted = events.filter((e) => e.type === "attempt_submitted");
    expect(
      submitted.map((e) => e.attempt),
      trail
    ).toEqual(attempts.map((a) => a.index));
    expect(submitted[0]?.evidence.detail?.["adoptedAfterRestart"], trail).toBe(true);
    // no duplicate and no lost submission: exactly one job of this run per attempt, the one its record names
    const { slurm, records } = await jobsVersusRecords(run.id, attempts);
    expect(slurm, trail).toEqual(records);
  }, 900_000);
});

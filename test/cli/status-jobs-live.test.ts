import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient, StatusPoller } from "@neoxctl/slurm";
import { Keys, RunStore } from "@neoxctl/supervisor";
import type { Attempt, Run } from "@neoxctl/supervisor";
import { attemptRecord, putRunOps, runRecord } from "../support/run-record.ts";
import { ensureSshd, SSH_FILES, SSHD_HOST, SSHD_PORT } from "../support/targets.ts";
import { cleanUp, pollUntil, scriptDir } from "../slurm/helpers.ts";

// `status <run> --jobs` asks Slurm (the real local cluster), not the supervisor's records: three
// real jobs whose records were left stale on purpose, plus one job id Slurm never had, seen
// locally and over SSH; and a run whose cluster cannot be reached falls back to the records, said so.
const CLI = resolve(import.meta.dirname, "../../packages/cli/bin/neoxctl.js");
const prefix = `test:status-jobs:${process.pid}:${Date.now()}:`;
const exec = promisify(execFile);
const client = new SlurmClient(new LocalExecutor());
const submitted: string[] = [];
let redis: Redis;
let store: RunStore;
let dir: string;
const jobs = { cancelled: "", completed: "", held: "" };
/** a job id this cluster never gave out (its counter is far below) */
const NEVER = "987654321";

async function neoxctl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec("node", [CLI, ...args], {
      env: { ...process.env, NEOXCTL_REDIS_PREFIX: prefix, NEOXCTL_REDIS_URL: "redis://127.0.0.1:6379" }
    });
  } catch (e) {
    // the CLI prints its errors (JSON with --json) on stdout: show them with the failure
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`neoxctl ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

function attempt(index: number, over: Partial<Attempt>): Attempt {
  return attemptRecord(index, dir, over);
}

/** A run whose records are stale against Slurm, reached through `access`. */
async function seed(id: string, access: Record<string, unknown>): Promise<void> {
  const run: Run = runRecord(id, {
    attempts: 4,
    // the fields `status` reads of the stored spec (a real run stores the whole parsed spec)
    planInput: {
      spec: { name: id, training: { log_interval: 10 }, checkpointing: { checkpoint_factor: 20 } },
      profile: { name: "testlumi", access },
      manifest: {}
    }
  });
  await store.commit(
    null,
    putRunOps(store, run, [
      // the supervisor decided to cancel it and wrote it off; Slurm still runs it
      store.putAttempt(
        id,
        attempt(1, { jobId: jobs.cancelled, endState: "CANCELLED", cancelRequested: true })
      ),
      // seen starting, then the supervisor went away: Slurm has it COMPLETED
      store.putAttempt(id, attempt(2, { jobId: jobs.completed, phase: "submitted" })),
      store.event(id, {
        type: "job_started",
        time: new Date().toISOString(),
        cause: "started",
        attempt: 2,
        evidence: {}
      }),
      // queued (held) in both
      store.putAttempt(id, attempt(3, { jobId: jobs.held, phase: "submitted" })),
      // ended long ago as far as the record knows; Slurm has no trace of it
      store.putAttempt(id, attempt(4, { jobId: NEVER, endState: "COMPLETED" }))
    ])
  );
}

interface Report {
  source: string;
  slurm: { state: string; via?: string; commands?: string[]; error?: string };
  jobs: { jobId: string; state: string; slurm: { state: string } | null; agreement: string; note: string }[];
  disagreements: number;
}

const local = { kind: "local" };
const ssh = {
  kind: "ssh",
  host: SSHD_HOST,
  port: SSHD_PORT,
  user: "root",
  identity_file: SSH_FILES.identityFile,
  known_hosts_file: SSH_FILES.knownHosts,
  // not whatever ~/.ssh/config this machine has
  ssh_config_file: join(SSH_FILES.dir, "no-such-config")
};

beforeAll(async () => {
  ensureSshd();
  redis = new Redis("redis://127.0.0.1:6379");
  store = new RunStore(redis, new Keys(prefix));
  const scripts = await scriptDir("status-jobs-");
  dir = scripts.dir;
  const submit = async (name: string, body: string, extraArgs: string[] = []): Promise<string> => {
    const id = await client.submit({
      scriptPath: await scripts.script(name, body),
      runId: "status-jobs",
      attempt: submitted.length + 1,
      cwd: dir,
      extraArgs: ["--time=5", ...extraArgs]
    });
    submitted.push(id);
    return id;
  };
  jobs.cancelled = await submit("long.sh", "sleep 300");
  jobs.completed = await submit("short.sh", "true");
  jobs.held = await submit("held.sh", "true", ["--hold"]);
  const poller = new StatusPoller(client);
  await pollUntil(poller, [jobs.cancelled], (s) => s?.state === "RUNNING", 90_000);
  await pollUntil(poller, [jobs.completed], (s) => s?.state === "COMPLETED", 90_000);
}, 200_000);

afterAll(async () => {
  await cleanUp(client, submitted, []);
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

function expectLiveReport(r: Report): void {
  expect(r.source).toBe("slurm");
  expect(r.slurm.state).toBe("checked");
  // one batch: squeue for all four, one sacct for the id the controller does not hold
  expect(r.slurm.commands).toEqual(["squeue --json", "sacct"]);
  const by = new Map(r.jobs.map((j) => [j.jobId, j]));
  expect(by.get(jobs.cancelled)).toMatchObject({
    state: "CANCELLED (cancel requested)",
    slurm: { state: "RUNNING" },
    agreement: "disagree"
  });
  expect(by.get(jobs.cancelled)!.note).toContain("holding nodes");
  expect(by.get(jobs.completed)).toMatchObject({
    state: "running",
    slurm: { state: "COMPLETED" },
    agreement: "disagree"
  });
  expect(by.get(jobs.held)).toMatchObject({
    state: "queued",
    slurm: { state: "PENDING" },
    agreement: "agree"
  });
  expect(by.get(NEVER)).toMatchObject({ slurm: null, agreement: "unknown" });
  expect(r.disagreements).toBe(2);
}

describe("status <run> --jobs asks Slurm", () => {
  it("locally: Slurm's state beside the record's, disagreements flagged", async () => {
    await seed("status-jobs-local", local);
    const r = JSON.parse((await neoxctl("status", "status-jobs-local", "--jobs", "--json")).stdout) as Report;
    expectLiveReport(r);
    expect(r.slurm.via).toBe("local");

    const { stdout } = await neoxctl("status", "status-jobs-local", "--jobs");
    expect(stdout).toContain("live from Slurm (squeue --json + sacct via local");
    expect(stdout).toMatch(
      new RegExp(`${jobs.cancelled} +1 +RUNNING +CANCELLED \\(cancel requested\\) +DISAGREE`)
    );
    expect(stdout).toMatch(new RegExp(`${jobs.held} +3 +PENDING +queued +ok`));
    expect(stdout).toContain("2 job(s) where Slurm and the records disagree");
  }, 60_000);

  it("over SSH when the run's profile says so", async () => {
    await seed("status-jobs-ssh", ssh);
    const r = JSON.parse((await neoxctl("status", "status-jobs-ssh", "--jobs", "--json")).stdout) as Report;
    expectLiveReport(r);
    expect(r.slurm.via).toBe(`ssh root@${SSHD_HOST}:${SSHD_PORT}`);
  }, 60_000);

  it("falls back to the records, labelled, when the cluster cannot be reached", async () => {
    // nothing listens on port 1: the connection is refused at once
    await seed("status-jobs-away", { ...ssh, port: 1 });
    const r = JSON.parse((await neoxctl("status", "status-jobs-away", "--jobs", "--json")).stdout) as Report;
    expect(r.source).toBe("records");
    expect(r.slurm.state).toBe("unreachable");
    expect(r.slurm.error).toMatch(/^[A-Z_]+: /);
    expect(r.jobs.map((j) => [j.jobId, j.state, j.agreement])).toEqual([
      [jobs.cancelled, "CANCELLED (cancel requested)", "not_checked"],
      [jobs.completed, "running", "not_checked"],
      [jobs.held, "queued", "not_checked"],
      [NEVER, "COMPLETED", "not_checked"]
    ]);
    const { stdout } = await neoxctl("status", "status-jobs-away", "--jobs");
    expect(stdout.split("\n")[0]).toMatch(new RegExp(`^SLURM UNREACHABLE via ssh root@${SSHD_HOST}:1: `));
    expect(stdout).toContain("RECORDS ONLY");
    expect(stdout).not.toContain("DISAGREE");
  }, 60_000);
});

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { parseTokensFile } from "@neoxctl/dashboard";
import { Keys, RunStore } from "@neoxctl/supervisor";
import type { Attempt, Run } from "@neoxctl/supervisor";
import { attemptRecord, putRunOps, runRecord } from "../support/run-record.ts";

// The compiled CLI (built by the global setup) against a seeded run in Redis under its own prefix.
const CLI = resolve(import.meta.dirname, "../../packages/cli/bin/neoxctl.js");
const prefix = `test:ops-cli:${process.pid}:${Date.now()}:`;
const RUN = "ops-cli-run";
const exec = promisify(execFile);
let redis: Redis;
let store: RunStore;

async function neoxctl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec("node", [CLI, ...args], {
    env: { ...process.env, NEOXCTL_REDIS_PREFIX: prefix, NEOXCTL_REDIS_URL: "redis://127.0.0.1:6379" }
  });
}

const at = (minute: number): string => new Date(Date.UTC(2026, 11, 1, 8, minute)).toISOString();

function attempt(index: number, over: Partial<Attempt>): Attempt {
  return attemptRecord(index, `/tmp/${RUN}`, { createdAt: at(index * 10), ...over });
}

beforeAll(async () => {
  redis = new Redis("redis://127.0.0.1:6379");
  store = new RunStore(redis, new Keys(prefix));
  const run: Run = runRecord(RUN, {
    state: "needs_attention",
    // the fields `status` reads of the stored spec (a real run stores the whole parsed spec)
    planInput: {
      spec: { name: RUN, training: { log_interval: 10 }, checkpointing: { checkpoint_factor: 20 } },
      profile: { name: "testlumi" },
      manifest: {}
    },
    params: { load: { kind: "resume", iteration: 40 }, lr: 1e-4, seed: 1, excludeNodes: ["nid002"] },
    attempts: 2,
    attention: "node budget spent",
    createdAt: at(0),
    updatedAt: at(30)
  });
  await store.commit(
    null,
    putRunOps(store, run, [
      store.putAttempt(
        RUN,
        attempt(1, { jobId: "9101", nodes: ["nid001", "nid002"], endState: "NODE_FAIL", endedAt: at(15) })
      ),
      store.putAttempt(
        RUN,
        attempt(2, {
          jobId: "9102",
          nodes: ["nid003"],
          endState: "NODE_FAIL",
          endedAt: at(25),
          params: { load: { kind: "resume", iteration: 40 }, lr: 1e-4, seed: 1, excludeNodes: ["nid002"] }
        })
      ),
      // committed out of time order: `events` sorts by the event's own time
      store.event(RUN, { type: "needs_attention", time: at(25), cause: "node budget spent", evidence: {} }),
      store.event(RUN, { type: "recover_node", time: at(15), cause: "NODE_FAIL on nid002", evidence: {} }),
      store.event(RUN, {
        type: "excluded_by_user",
        time: at(27),
        cause: "node nid003 excluded by the user",
        evidence: {},
        actor: "cli:alice"
      })
    ])
  );
});

afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe("the CLI for operators", () => {
  it("events: ordered by time, with who asked", async () => {
    const { stdout } = await neoxctl("events", RUN);
    const types = stdout
      .split("\n")
      .filter((l) => /^\d{4}-/.test(l))
      .map((l) => l.split(/\s+/)[1]?.replace(/:$/, ""));
    expect(types).toEqual(["recover_node", "needs_attention", "excluded_by_user"]);
    expect(stdout).toContain("by cli:alice");
  });

  it("status <run> lists every attempt, and --jobs the run's Slurm jobs", async () => {
    const { stdout } = await neoxctl("status", RUN);
    expect(stdout).toContain("attempts (2):");
    expect(stdout).toMatch(
      /#1 first\s+job 9101 {2}nodes nid001,nid002 {2}loaded init {2}exclude \[\].*→ NODE_FAIL/
    );
    expect(stdout).toMatch(
      /#2 node\s+job 9102 {2}nodes nid003 {2}loaded step 40 {2}exclude \[nid002\].*→ NODE_FAIL/
    );
    // the job ids are made up: whatever Slurm says of them, the records' jobs are listed
    const report = JSON.parse((await neoxctl("status", RUN, "--jobs", "--json")).stdout) as {
      jobs: { jobId: string; state: string }[];
    };
    expect(report.jobs.map((j) => [j.jobId, j.state])).toEqual([
      ["9101", "NODE_FAIL"],
      ["9102", "NODE_FAIL"]
    ]);
  });

  it("a manual control records the local user as its actor", async () => {
    const { stdout } = await neoxctl("ack", RUN, "--json");
    expect((JSON.parse(stdout) as { actor: string }).actor).toBe(`cli:${userInfo().username}`);
    const [queued] = await redis.lrange(store.keys.control(RUN), 0, 0);
    expect((JSON.parse(queued!) as { actor: string }).actor).toBe(`cli:${userInfo().username}`);
  });

  it("silence: add, list, remove", async () => {
    const added = JSON.parse(
      (await neoxctl("silence", "team:ops-cli", "--for", "1h", "--reason", "maintenance", "--json")).stdout
    ) as { id: string; by: string; target: unknown };
    expect(added.target).toEqual({ kind: "team", team: "ops-cli" });
    expect(added.by).toBe(`cli:${userInfo().username}`);
    const listed = JSON.parse((await neoxctl("silence", "list", "--json")).stdout) as { id: string }[];
    expect(listed.map((s) => s.id)).toEqual([added.id]);
    expect((await neoxctl("silence", "list")).stdout).toContain("team:ops-cli");
    await neoxctl("silence", "rm", added.id);
    expect((await neoxctl("silence", "list")).stdout).toContain("no silences in force");
    await expect(neoxctl("silence", RUN, "--for", "forever", "--reason", "x")).rejects.toMatchObject({
      code: 2
    });
  });

  it("dashboard token add: stores the name and a scrypt hash, prints the secret once, refuses a repeated name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ops-tokens-"));
    const file = join(dir, "tokens");
    try {
      const { stdout } = await neoxctl("dashboard", "token", "add", "oncall", "--file", file);
      const secret = stdout.trim();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain(secret);
      expect(text).not.toContain(createHash("sha256").update(secret).digest("hex"));
      const [record] = parseTokensFile(text);
      expect(record).toMatchObject({
        name: "oncall",
        hash: expect.stringMatching(/^scrypt\$N=32768\$r=8\$p=1\$/)
      });
      await expect(neoxctl("dashboard", "token", "add", "oncall", "--file", file)).rejects.toMatchObject({
        code: 2
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("dashboard token list and doctor mark a legacy SHA-256 token for re-issue", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ops-tokens-"));
    const file = join(dir, "tokens");
    try {
      await neoxctl("dashboard", "token", "add", "alice", "--file", file);
      const legacy = createHash("sha256").update("an-old-secret-0123456789").digest("hex");
      appendFileSync(file, `${JSON.stringify({ name: "carol", sha256: legacy })}\n`);
      const listed = JSON.parse(
        (await neoxctl("dashboard", "token", "list", "--file", file, "--json")).stdout
      );
      expect(listed).toEqual([
        { name: "alice", format: "scrypt", reissue: false },
        { name: "carol", format: "legacy-sha256", reissue: true }
      ]);
      const text = await neoxctl("dashboard", "token", "list", "--file", file);
      expect(text.stdout).toMatch(/carol\s+legacy-sha256 {2}RE-ISSUE/);
      expect(text.stderr).toContain('token "carol" is an unsalted SHA-256 hash');
      expect(`${text.stdout}${text.stderr}`).not.toContain(legacy);
      const doctor = JSON.parse(
        (await neoxctl("doctor", "--tokens-file", file, "--json").catch((e: { stdout: string }) => e)).stdout
      ) as { checks: { kind: string; ok: boolean; warning?: boolean; detail: string }[] };
      const check = doctor.checks.find((c) => c.kind === "tokens");
      expect(check).toMatchObject({ ok: true, warning: true });
      expect(check?.detail).toContain("re-issue");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--help lists the environment each command reads and what a remote cluster needs", async () => {
    const { stdout } = await neoxctl("submit", "--help");
    expect(stdout).toContain("Environment:");
    expect(stdout).toContain("NEOXCTL_REDIS_URL");
    expect(stdout).toContain("NEOXCTL_REDIS_PREFIX");
    expect(stdout).toMatch(/Remote clusters:\s+.*--run-dir is required/);
    expect((await neoxctl("dashboard", "--help")).stdout).toContain("NEOXCTL_DASHBOARD_TOKENS_FILE");
    expect((await neoxctl("supervise", "--help")).stdout).toContain("NEOXCTL_ALERT_ROUTES_FILE");
  });
});

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Keys } from "@neoxctl/supervisor";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { ensureSshd, REPO_ROOT, SSH_FILES, SSHD_HOST, SSHD_PORT } from "../support/targets.ts";

// `neoxctl doctor` against the real stack, for what the stalled-run test does not reach: Redis
// away, cluster profiles reached locally and over SSH (and one that cannot be), a stuck lease.
const CLI = join(REPO_ROOT, "packages/cli/bin/neoxctl.js");

interface DoctorJson {
  ok: boolean;
  checks: { kind: string; subject: string; ok: boolean; detail: string }[];
}

let t: Awaited<ReturnType<typeof testRedis>>;
let dir: string;

function doctor(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [CLI, "doctor", ...args], {
    encoding: "utf8",
    env: { ...process.env, NEOXCTL_REDIS_PREFIX: t.prefix, ...env }
  });
  return { status: r.status, stdout: r.stdout };
}

/** clusters/local.yaml with its access pointed at the test sshd, trusting `knownHosts`. */
function sshProfile(name: string, knownHosts: string): string {
  const local = readFileSync(join(REPO_ROOT, "clusters/local.yaml"), "utf8");
  const head = local.slice(0, local.indexOf("\naccess:")).replace(/^name: local$/m, `name: ${name}`);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `${head}
access:
  kind: ssh
  host: ${SSHD_HOST}
  port: ${SSHD_PORT}
  user: root
  identity_file: ${SSH_FILES.identityFile}
  known_hosts_file: ${knownHosts}
  ssh_config_file: ${join(SSH_FILES.dir, "no-such-config")}
launcher:
  kind: emulator
`
  );
  return file;
}

beforeAll(async () => {
  ensureSshd();
  t = await testRedis("doctor");
  dir = mkdtempSync("/tmp/neoxctl-doctor-");
});

afterAll(async () => {
  await t?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("neoxctl doctor", () => {
  it("Redis unreachable: one FAIL line for it, exit 1", () => {
    const r = doctor([], { NEOXCTL_REDIS_URL: "redis://127.0.0.1:1" });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL redis +redis: STORE_UNAVAILABLE: cannot reach Redis/m);
    expect(r.stdout).toMatch(/1 problem\(s\)/);
  });

  it("reaches given cluster profiles locally and over SSH; nothing running and nothing to watch is fine", () => {
    const r = doctor([
      "--json",
      "--cluster",
      "local",
      "--cluster",
      sshProfile("doctor-ssh", SSH_FILES.knownHosts)
    ]);
    const report = JSON.parse(r.stdout) as DoctorJson;
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.status).toBe(0);
    const clusters = report.checks.filter((c) => c.kind === "cluster");
    expect(clusters.map((c) => c.subject).sort()).toEqual(["doctor-ssh", "local"]);
    expect(clusters.find((c) => c.subject === "doctor-ssh")?.detail).toMatch(
      /via ssh root@127\.0\.0\.1:2222/
    );
    expect(report.checks.find((c) => c.kind === "supervision")?.detail).toMatch(
      /no supervisor running and no active runs/
    );
  });

  it("a cluster whose host key does not match fails its line, exit 1", () => {
    const profile = sshProfile("doctor-badkey", SSH_FILES.knownHostsWrong);
    const r = doctor(["--json", "--cluster", profile]);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as DoctorJson;
    // a cluster that cannot be checked is named as given on the command line
    expect(report.checks.find((c) => c.subject === profile)).toMatchObject({
      kind: "cluster",
      ok: false,
      detail: expect.stringMatching(/unreachable: SSH_HOSTKEY_CHANGED/) as unknown
    });
  });

  it("an active run whose lease is held by a process without a heartbeat: stuck lease and unsupervised cluster", async () => {
    const keys = new Keys(t.prefix);
    await t.redis.sadd(keys.active(), "stuck-run");
    await t.redis.set(keys.run("stuck-run"), JSON.stringify({ id: "stuck-run", cluster: "gone-cluster" }));
    await t.redis.set(keys.lease("stuck-run"), "oldhost:4242#7", "PX", 60_000);
    const r = doctor([]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^FAIL supervision +gone-cluster: 1 active run\(s\) and NO live supervisor holds them$/m
    );
    expect(r.stdout).toMatch(
      /^FAIL lease +stuck-run: lease held by oldhost:4242, which has no live heartbeat/m
    );
  });
});

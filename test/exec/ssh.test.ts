import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecError } from "@neoxctl/core";
import { SshExecutor } from "@neoxctl/exec";
import type { ExecTarget } from "@neoxctl/exec";
import { readFileSync } from "node:fs";
import { ensureSshd, SSH_BENCH_RC_RUNS, SSH_BENCH_USER, SSH_FILES, sshTarget } from "../support/targets.ts";

type SshTarget = Extract<ExecTarget, { kind: "ssh" }>;
const base = sshTarget as SshTarget;

/** The fingerprint OpenSSH itself prints for the server's host key. */
function opensshFingerprint(): string {
  const out = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", SSH_FILES.hostPublicKey], {
    encoding: "utf8"
  });
  return out.split(" ")[1] ?? "";
}

async function refusal(target: SshTarget): Promise<ExecError> {
  const ex = await SshExecutor.fromTarget(target);
  try {
    await ex.run(["true"]);
  } catch (err) {
    return err as ExecError;
  } finally {
    await ex.close();
  }
  throw new Error("the connection was accepted");
}

beforeAll(() => ensureSshd());

describe("strict host-key checking", () => {
  it("refuses an unknown host key, naming host, fingerprint and file", async () => {
    const err = await refusal({ ...base, knownHostsFile: SSH_FILES.knownHostsEmpty });
    expect(err).toBeInstanceOf(ExecError);
    expect(err.code).toBe("SSH_HOSTKEY_UNKNOWN");
    expect(err.message).toContain("[127.0.0.1]:2222");
    expect(err.message).toContain(opensshFingerprint());
    expect(err.message).toContain(SSH_FILES.knownHostsEmpty);
  });

  it("refuses when known_hosts does not exist", async () => {
    const err = await refusal({ ...base, knownHostsFile: join(SSH_FILES.dir, "absent_known_hosts") });
    expect(err.code).toBe("SSH_HOSTKEY_UNKNOWN");
    expect(err.message).toContain("does not exist");
  });

  it("refuses a changed host key", async () => {
    const err = await refusal({ ...base, knownHostsFile: SSH_FILES.knownHostsWrong });
    expect(err.code).toBe("SSH_HOSTKEY_CHANGED");
    expect(err.message).toContain("[127.0.0.1]:2222");
    expect(err.message).toContain(opensshFingerprint());
    expect(err.message).toContain(SSH_FILES.knownHostsWrong);
  });

  it("refuses a revoked key even though the host lists it", async () => {
    const err = await refusal({ ...base, knownHostsFile: SSH_FILES.knownHostsRevoked });
    expect(err.code).toBe("SSH_HOSTKEY_CHANGED");
    expect(err.details.reason).toBe("revoked");
  });

  it("accepts hashed known_hosts entries and reports the trusted fingerprint", async () => {
    const ex = await SshExecutor.fromTarget({ ...base, knownHostsFile: SSH_FILES.knownHostsHashed });
    expect(ex.hostKeyFingerprint).toBeUndefined();
    await ex.connect();
    expect(ex.hostKeyFingerprint).toBe(opensshFingerprint());
    await expect(ex.run(["true"])).resolves.toMatchObject({ exitCode: 0 });
    await ex.close();
  });
});

describe("connection and authentication errors", () => {
  it("maps a refused key to SSH_AUTH", async () => {
    const err = await refusal({ ...base, identityFile: SSH_FILES.unauthorisedKey });
    expect(err.code).toBe("SSH_AUTH");
  });

  it("maps an unreachable port to SSH_CONNECT", async () => {
    const err = await refusal({ ...base, port: 2223, knownHostsFile: SSH_FILES.knownHosts });
    expect(err.code).toBe("SSH_CONNECT");
    expect(err.message).toContain("127.0.0.1:2223");
  });
});

describe("ssh config aliases", () => {
  const viaConfig = (host: string): SshTarget => ({ kind: "ssh", host, sshConfigFile: SSH_FILES.sshConfig });

  it("resolves HostName, Port, User, IdentityFile and UserKnownHostsFile from an alias", async () => {
    const ex = await SshExecutor.fromTarget(viaConfig("lumi-test"));
    expect(ex.target).toBe("root@127.0.0.1:2222");
    await expect(ex.run(["whoami"])).resolves.toMatchObject({ stdout: "root\n" });
    await ex.close();
  });

  it("reaches the target through a ProxyJump hop", async () => {
    const ex = await SshExecutor.fromTarget(viaConfig("lumi-jump"));
    const conn = (await ex.run(["sh", "-c", 'echo "$SSH_CONNECTION"'], { check: true })).stdout
      .trim()
      .split(" ");
    const clientPort = conn[1] ?? "";
    // the server's peer is the jump host's sshd forwarding for us, not this test process
    const owner = (
      await ex.run(["ss", "-Htnp", "state", "established", `( sport = :${clientPort} )`], { check: true })
    ).stdout;
    expect(owner).toContain('"sshd"');
    expect(owner).not.toContain('"node"');
    await ex.close();
  });

  it("checks the jump host's key as strictly as the target's", async () => {
    const err = await refusal({
      kind: "ssh",
      host: "lumi-jump",
      sshConfigFile: SSH_FILES.sshConfig,
      knownHostsFile: SSH_FILES.knownHostsWrong
    });
    expect(err.code).toBe("SSH_HOSTKEY_CHANGED");
  });
});

describe("agent authentication", () => {
  let agent: ChildProcess | undefined;
  let dir = "";
  let socket = "";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "neoxctl-agent-"));
    socket = join(dir, "agent.sock");
    agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync("ssh-add", [SSH_FILES.identityFile], {
          env: { ...process.env, SSH_AUTH_SOCK: socket },
          stdio: "ignore"
        });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error("ssh-agent did not come up");
  });

  afterAll(async () => {
    if (agent?.pid !== undefined) process.kill(agent.pid);
    await rm(dir, { recursive: true, force: true });
  });

  it("authenticates with a key held only by the agent", async () => {
    const { identityFile: _unused, ...noKey } = base;
    const ex = await SshExecutor.fromTarget({ ...noKey, agentSocket: socket });
    await expect(ex.run(["true"])).resolves.toMatchObject({ exitCode: 0 });
    await ex.close();
  });
});

describe("one reused connection", () => {
  it("runs many commands, concurrently past MaxSessions, on a single connection", async () => {
    const ex = await SshExecutor.fromTarget(base);
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => ex.run(["echo", String(i)])));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 24 }, (_, i) => `${i}\n`));
    expect(ex.connectionCount).toBe(1);
    await ex.close();
  });

  it("keeps the exit status of many quick commands (statuses arrive right after the exec reply)", async () => {
    const ex = await SshExecutor.fromTarget(base);
    const codes = Array.from({ length: 30 }, (_, i) => i % 4);
    const results = await Promise.all(codes.map((c) => ex.run(["sh", "-c", `exit ${c}`])));
    expect(results.map((r) => r.exitCode)).toEqual(codes);
    await ex.close();
  });

  it("reconnects on the next run after the server drops the connection", async () => {
    const ex = await SshExecutor.fromTarget(base);
    const clientPort = async (): Promise<string> =>
      (await ex.run(["sh", "-c", 'echo "$SSH_CONNECTION"'], { check: true })).stdout.split(" ")[1] ?? "";
    const before = await clientPort();
    // the sshd processes serving this connection (same machine): killing them drops our TCP session
    const owners = execFileSync(
      "ss",
      ["-Htnp", "state", "established", `( sport = :2222 and dport = :${before} )`],
      {
        encoding: "utf8"
      }
    );
    const pids = [...owners.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, "SIGKILL");
    expect(await clientPort()).not.toBe(before);
    expect(ex.connectionCount).toBe(2);
    // SFTP comes back on the new connection too
    await expect(ex.readFrom(SSH_FILES.knownHosts, 0)).resolves.toMatchObject({ size: expect.any(Number) });
    await ex.close();
  });

  it("reads the account's start-up files once per shell, not once per command", async () => {
    const ex = await SshExecutor.fromTarget({ ...base, user: SSH_BENCH_USER });
    // the account's ~/.bashrc records the pid of each shell that reads it; a command and its ancestors tell
    // which of those shells it ran under (other processes may use the account at the same time)
    const ancestors = 'p=$$; while [ "$p" -gt 1 ]; do echo "$p"; p=$(ps -o ppid= -p "$p" | tr -d " "); done';
    const servedBy: string[] = [];
    for (let i = 0; i < 4; i++) {
      const chain = (await ex.run(["sh", "-c", ancestors], { check: true })).stdout.split("\n");
      const rcPids = new Set(readFileSync(SSH_BENCH_RC_RUNS, "utf8").split("\n").filter(Boolean));
      servedBy.push(chain.filter((pid) => rcPids.has(pid)).join(","));
    }
    expect(servedBy[0]).toMatch(/^\d+$/);
    expect(new Set(servedBy).size).toBe(1);
    await ex.close();
  });
});

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureSshd, REPO_ROOT, SSH_FILES, SSHD_HOST, SSHD_PORT } from "../support/targets.ts";

const run = promisify(execFile);

async function neoxctl(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const r = await run("npx", ["tsx", join(REPO_ROOT, "packages/cli/src/main.ts"), ...args], {
      cwd: REPO_ROOT
    });
    return { code: 0, stdout: r.stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "" };
  }
}

/** clusters/local.yaml with its access block pointed at the test sshd. */
function sshProfile(knownHosts: string): string {
  const local = readFileSync(join(REPO_ROOT, "clusters/local.yaml"), "utf8");
  const head = local.slice(0, local.indexOf("\naccess:")).replace(/^name: local$/m, "name: local-ssh");
  return `${head}
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
`;
}

describe("neoxctl cluster check", () => {
  let dir: string;
  beforeAll(async () => {
    ensureSshd();
    dir = await mkdtemp(join(tmpdir(), "neoxctl-check-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reports version, partition, accounting and all four nodes of the local cluster", async () => {
    const r = await neoxctl(["cluster", "check", "--cluster", "local", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & {
      nodes: { total: number };
      partitions: { name: string }[];
    };
    expect(out).toMatchObject({ profile: "local", access: "local", hostKeyFingerprint: null });
    expect(out.slurmVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(["on", "off"]).toContain(out.accounting);
    expect(out.partitions.map((p) => p.name)).toContain("standard-g");
    expect(out.nodes.total).toBe(4);
  });

  it("over SSH also reports the host key fingerprint it trusted", async () => {
    const profile = join(dir, "ssh.yaml");
    await writeFile(profile, sshProfile(SSH_FILES.knownHosts));
    const r = await neoxctl(["cluster", "check", "--cluster", profile, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { access: string; hostKeyFingerprint: string; target: string };
    const pub = readFileSync(SSH_FILES.hostPublicKey, "utf8").split(" ")[1] ?? "";
    const { createHash } = await import("node:crypto");
    const expected = `SHA256:${createHash("sha256").update(Buffer.from(pub, "base64")).digest("base64").replace(/=+$/, "")}`;
    expect(out).toMatchObject({
      access: "ssh",
      target: `root@${SSHD_HOST}:${SSHD_PORT}`,
      hostKeyFingerprint: expected
    });
  });

  it("refuses a cluster whose host key does not match known_hosts", async () => {
    const profile = join(dir, "ssh-wrong.yaml");
    await writeFile(profile, sshProfile(SSH_FILES.knownHostsWrong));
    const r = await neoxctl(["cluster", "check", "--cluster", profile, "--json"]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe("SSH_HOSTKEY_CHANGED");
  });

  it("exits 2 for an unknown profile", async () => {
    const r = await neoxctl(["cluster", "check", "--cluster", "no-such-cluster", "--json"]);
    expect(r.code).toBe(2);
  });
});

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { NeoxctlError } from "@neoxctl/core";
import { createExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { REPO_ROOT, SSH_FILES, SSHD_HOST, SSHD_PORT, ensureSshd, sshTarget } from "../support/targets.ts";

const CLI = join(REPO_ROOT, "packages/cli/bin/neoxctl.js");
const RUN_ID = `hostkey-${process.pid}`;

function profileWith(knownHosts: string): string {
  const dir = mkdtempSync(join(tmpdir(), "neoxctl-hostkey-"));
  const path = join(dir, "ssh-local.yaml");
  writeFileSync(
    path,
    [
      "name: ssh-local",
      "scheduler: {partition: standard-g, gpus_per_node: null, ntasks_per_node: 1, cpus_per_task: 1, exclusive: false, max_nodes: 4, max_time: '1-00:00:00', accounting: true}",
      "gcds_per_node: 8",
      `access: {kind: ssh, host: ${SSHD_HOST}, port: ${SSHD_PORT}, user: root, identity_file: ${SSH_FILES.identityFile}, known_hosts_file: ${knownHosts}, ssh_config_file: ${join(dir, "none")}}`,
      "launcher: {kind: emulator}",
      ""
    ].join("\n")
  );
  return path;
}

function jobsOfRun(): number {
  const r = spawnSync("squeue", ["-h", "-n", `neoxctl-${RUN_ID}`, "-o", "%i"], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.trim() !== "").length;
}

beforeAll(() => ensureSshd());

describe("SSH host keys through the Slurm client and neoxctl cluster check", () => {
  it("the trusted key works end to end (so the refusals below are about the key)", () => {
    const r = spawnSync(
      "node",
      [CLI, "cluster", "check", "--cluster", profileWith(SSH_FILES.knownHosts), "--json"],
      { encoding: "utf8", timeout: 60_000 }
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
  });

  it.each([
    ["unknown", SSH_FILES.knownHostsEmpty, "SSH_HOSTKEY_UNKNOWN"],
    ["changed", SSH_FILES.knownHostsWrong, "SSH_HOSTKEY_CHANGED"],
    ["revoked", SSH_FILES.knownHostsRevoked, "SSH_HOSTKEY_"]
  ])("%s host key: cluster check refuses with exit 1", (_name, knownHosts, code) => {
    const r = spawnSync("node", [CLI, "cluster", "check", "--cluster", profileWith(knownHosts), "--json"], {
      encoding: "utf8",
      timeout: 60_000
    });
    expect(r.status, r.stderr + r.stdout).toBe(1);
    const err = (JSON.parse(r.stdout) as { error: { code: string } }).error;
    expect(err.code.startsWith(code)).toBe(true);
  });

  it.each([
    ["unknown", SSH_FILES.knownHostsEmpty],
    ["changed", SSH_FILES.knownHostsWrong]
  ])(
    "%s host key: sbatch through the Slurm client is refused and no job appears",
    async (_name, knownHosts) => {
      const dir = mkdtempSync(join(tmpdir(), "neoxctl-hostkey-job-"));
      writeFileSync(
        join(dir, "job.sbatch"),
        "#!/bin/bash\n#SBATCH --partition=standard-g\n#SBATCH --time=00:01:00\nsleep 1\n"
      );
      const before = jobsOfRun();
      let thrown: unknown;
      try {
        if (sshTarget.kind !== "ssh") throw new Error("sshTarget is not an SSH target");
        const exec = await createExecutor({ ...sshTarget, knownHostsFile: knownHosts });
        try {
          await new SlurmClient(exec).submit({
            scriptPath: join(dir, "job.sbatch"),
            runId: RUN_ID,
            attempt: 1,
            cwd: dir
          });
        } finally {
          await exec.close();
        }
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(NeoxctlError);
      expect((thrown as NeoxctlError).code).toMatch(/^SSH_HOSTKEY_/);
      expect(jobsOfRun()).toBe(before);
      expect(before).toBe(0);
    }
  );
});

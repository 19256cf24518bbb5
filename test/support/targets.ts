import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExecTarget } from "@neoxctl/exec";

/** Repository root, whichever directory the tests are started from. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Files `test/cluster/sshd.sh start` generates for the test OpenSSH server on 127.0.0.1:2222. */
// test/cluster/sshd.sh keeps the server's files outside the checkout, shared by every clone
const SSH_DIR =
  process.env["NEOXCTL_SSHD_DIR"] ??
  join(process.env["NEOXCTL_TESTCLUSTER_DIR"] ?? "/var/lib/neoxctl-testcluster", "ssh");
export const SSH_FILES = {
  dir: SSH_DIR,
  /** client key authorised for root */
  identityFile: join(SSH_DIR, "id_ed25519"),
  /** `[127.0.0.1]:2222` with the server's real host key */
  knownHosts: join(SSH_DIR, "known_hosts"),
  /** the same, hashed by `ssh-keygen -H` */
  knownHostsHashed: join(SSH_DIR, "known_hosts.hashed"),
  /** a different key for the same host: connecting must fail as SSH_HOSTKEY_CHANGED */
  knownHostsWrong: join(SSH_DIR, "known_hosts.wrong"),
  /** empty: connecting must fail as SSH_HOSTKEY_UNKNOWN */
  knownHostsEmpty: join(SSH_DIR, "known_hosts.empty"),
  /** the server's key under @revoked */
  knownHostsRevoked: join(SSH_DIR, "known_hosts.revoked"),
  /** ssh client config: `lumi-test` (direct) and `lumi-jump` (ProxyJump through lumi-test) */
  sshConfig: join(SSH_DIR, "ssh_config"),
  /** the server's public host key, for fingerprint checks */
  hostPublicKey: join(SSH_DIR, "ssh_host_ed25519_key.pub"),
  /** a key the server does not accept (for SSH_AUTH) */
  unauthorisedKey: join(SSH_DIR, "other_host_ed25519_key"),
  sshdLog: join(SSH_DIR, "sshd.log")
} as const;

/**
 * An account on the test sshd whose ~/.bashrc costs about a second (as module initialisation does
 * on a login node) and counts its runs in ~/rc-runs; uid 0 under another name (test/cluster/sshd.sh).
 */
export const SSH_BENCH_USER = "neoxbench";
export const SSH_BENCH_RC_RUNS = join(SSH_DIR, `${SSH_BENCH_USER}-home`, "rc-runs");

export const SSHD_HOST = "127.0.0.1";
export const SSHD_PORT = 2222;

export const localTarget: ExecTarget = { kind: "local" };

export const sshTarget: ExecTarget = {
  kind: "ssh",
  host: SSHD_HOST,
  port: SSHD_PORT,
  user: "root",
  identityFile: SSH_FILES.identityFile,
  knownHostsFile: SSH_FILES.knownHosts,
  // tests must not pick up whatever ~/.ssh/config the machine has
  sshConfigFile: join(SSH_DIR, "no-such-config")
};

/** Starts the test sshd if needed (idempotent; cheap when it already runs). */
export function ensureSshd(): void {
  execFileSync("bash", [join(REPO_ROOT, "test", "cluster", "sshd.sh"), "start"], {
    stdio: ["ignore", "ignore", "inherit"]
  });
}

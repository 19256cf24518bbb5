import { access, readFile } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { ExecTarget } from "../executor.ts";
import { parseProxyJump, resolveHostConfig } from "./ssh-config.ts";

export type SshTarget = Extract<ExecTarget, { kind: "ssh" }>;

/** One SSH server to authenticate against, after alias resolution. */
export interface Endpoint {
  /** the name the user wrote (alias or host), for messages */
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFile?: string;
}

/** Everything needed to (re)connect: jump hops first, then the target itself. */
export interface ConnectPlan {
  hops: Endpoint[];
  final: Endpoint;
  knownHostsFile: string;
  agentSocket?: string;
  keepaliveIntervalMs: number;
}

const DEFAULT_IDENTITIES = ["id_ed25519", "id_ecdsa", "id_rsa"];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if (await exists(p)) return p;
  return undefined;
}

async function endpointFor(
  configText: string,
  alias: string,
  overrides: { user?: string; port?: number; identityFile?: string }
): Promise<{ endpoint: Endpoint; proxyJump?: string; knownHosts?: string }> {
  const cfg = resolveHostConfig(configText, alias);
  const configured = await firstExisting(cfg.identityFiles);
  const fallback = await firstExisting(DEFAULT_IDENTITIES.map((n) => join(homedir(), ".ssh", n)));
  const identityFile = overrides.identityFile ?? configured ?? fallback;
  return {
    endpoint: {
      alias,
      host: cfg.hostName ?? alias,
      port: overrides.port ?? cfg.port ?? 22,
      user: overrides.user ?? cfg.user ?? userInfo().username,
      ...(identityFile !== undefined ? { identityFile } : {})
    },
    ...(cfg.proxyJump !== undefined ? { proxyJump: cfg.proxyJump } : {}),
    ...(cfg.userKnownHostsFile !== undefined ? { knownHosts: cfg.userKnownHostsFile } : {})
  };
}

/**
 * Resolves a target through the ssh config: explicit target fields win over the config, as
 * command-line options do for OpenSSH. Jump hops are resolved as aliases too; a hop's own
 * ProxyJump is not followed (one level of jumping covers login-node bastions).
 */
export async function resolvePlan(target: SshTarget): Promise<ConnectPlan> {
  const configText = await readOptional(target.sshConfigFile ?? join(homedir(), ".ssh", "config"));
  const main = await endpointFor(configText, target.host, {
    ...(target.user !== undefined ? { user: target.user } : {}),
    ...(target.port !== undefined ? { port: target.port } : {}),
    ...(target.identityFile !== undefined ? { identityFile: target.identityFile } : {})
  });
  const hops: Endpoint[] = [];
  for (const hop of parseProxyJump(main.proxyJump ?? "")) {
    const { endpoint } = await endpointFor(configText, hop.host, {
      ...(hop.user !== undefined ? { user: hop.user } : {}),
      ...(hop.port !== undefined ? { port: hop.port } : {})
    });
    hops.push(endpoint);
  }
  const agentSocket = target.agentSocket ?? process.env.SSH_AUTH_SOCK;
  return {
    hops,
    final: main.endpoint,
    knownHostsFile: target.knownHostsFile ?? main.knownHosts ?? join(homedir(), ".ssh", "known_hosts"),
    ...(agentSocket !== undefined && agentSocket !== "" ? { agentSocket } : {}),
    keepaliveIntervalMs: target.keepaliveIntervalMs ?? 15_000
  };
}

export function describeEndpoint(e: Endpoint): string {
  return `${e.user}@${e.host}:${e.port}`;
}

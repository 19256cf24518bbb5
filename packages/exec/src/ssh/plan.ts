import { access } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import { ExecError } from "@neoxctl/core";
import type { ExecTarget } from "../executor.ts";
import { parseProxyJump, resolveHostConfig } from "./ssh-config.ts";
import { readSshConfig } from "./ssh-config-file.ts";

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

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if (await exists(p)) return p;
  return undefined;
}

async function endpointFor(
  configText: string,
  alias: string,
  overrides: { user?: string; port?: number; identityFile?: string }
): Promise<{ endpoint: Endpoint; proxyJump?: string; knownHosts?: string }> {
  const cfg = resolveHostConfig(configText, alias, overrides.user);
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

/** OpenSSH gives up on ProxyJump chains past this many hops as well, in effect (loops). */
const MAX_HOPS = 8;

/**
 * The hops in front of a host, first hop first: each hop named in `proxyJump` is resolved as an
 * alias, and its own ProxyJump puts further hops in front of it, as `ssh -J` chains do.
 */
async function hopsFor(
  configText: string,
  proxyJump: string | undefined,
  seen: string[]
): Promise<Endpoint[]> {
  const hops: Endpoint[] = [];
  for (const hop of parseProxyJump(proxyJump ?? "")) {
    if (seen.includes(hop.host) || seen.length >= MAX_HOPS) {
      throw new ExecError(
        "SSH_CONNECT",
        `ProxyJump loop or chain too long at ${hop.host} (${[...seen, hop.host].join(" -> ")})`
      );
    }
    const resolved = await endpointFor(configText, hop.host, {
      ...(hop.user !== undefined ? { user: hop.user } : {}),
      ...(hop.port !== undefined ? { port: hop.port } : {})
    });
    hops.push(...(await hopsFor(configText, resolved.proxyJump, [...seen, hop.host])), resolved.endpoint);
  }
  return hops;
}

/**
 * Resolves a target through the ssh config: explicit target fields win over the config, as
 * command-line options do for OpenSSH. Jump hops are resolved as aliases too, with their own
 * ProxyJump followed.
 */
export async function resolvePlan(target: SshTarget): Promise<ConnectPlan> {
  const configText = await readSshConfig(target.sshConfigFile ?? join(homedir(), ".ssh", "config"));
  const main = await endpointFor(configText, target.host, {
    ...(target.user !== undefined ? { user: target.user } : {}),
    ...(target.port !== undefined ? { port: target.port } : {}),
    ...(target.identityFile !== undefined ? { identityFile: target.identityFile } : {})
  });
  const hops = await hopsFor(configText, main.proxyJump, [target.host]);
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

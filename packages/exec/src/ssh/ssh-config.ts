import { homedir, userInfo } from "node:os";
import SSHConfig from "ssh-config";

/** The subset of an OpenSSH client config Host block neoxctl honours. */
export interface HostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  proxyJump?: string;
  userKnownHostsFile?: string;
  /** the alias that selected this block (for token expansion) */
  alias: string;
}

/** `~` and the common `%` tokens OpenSSH expands in file names. */
function expandPath(path: string, tokens: { host: string; user?: string; alias: string }): string {
  const home = homedir();
  const withHome = path === "~" ? home : path.startsWith("~/") ? `${home}${path.slice(1)}` : path;
  return withHome.replace(/%([%dhnru])/g, (_, t: string) => {
    switch (t) {
      case "%":
        return "%";
      case "d":
        return home;
      case "h":
        return tokens.host;
      case "n":
        return tokens.alias;
      case "r":
        return tokens.user ?? userInfo().username;
      case "u":
        return userInfo().username;
      default:
        return `%${t}`;
    }
  });
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function all(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Options for `alias`, evaluated by the `ssh-config` package the OpenSSH way: Host and Match blocks
 * top to bottom, first value per keyword wins, IdentityFile accumulates. Match supports host,
 * originalhost, user, localuser, all and final; `Match exec` is never run (it would execute shell
 * commands from the file while neoxctl merely resolves an alias) and so never matches. `user` is the
 * login name given outside the file (it wins, and Match user tests it, as with `ssh -l`).
 * Include is followed before parsing (ssh-config-file.ts). Known differences from OpenSSH, all the
 * package's: Host patterns match case-sensitively and `?` also matches no character; Match
 * canonical/localnetwork/tagged are not evaluated; CanonicalizeHostName with CanonicalDomains asks
 * `nslookup`; only HostName, User, Port, IdentityFile, ProxyJump and UserKnownHostsFile are used.
 */
export function resolveHostConfig(text: string, alias: string, user?: string): HostConfig {
  const computed = SSHConfig.parse(text).compute(
    { Host: alias, ...(user !== undefined ? { User: user } : {}) },
    { ignoreCase: true, matchExec: false }
  );
  const out: HostConfig = { identityFiles: [], alias };
  const hostName = first(computed["hostname"]);
  const configuredUser = first(computed["user"]);
  const port = first(computed["port"]);
  const proxyJump = first(computed["proxyjump"]);
  const knownHosts = first(computed["userknownhostsfile"]);
  const host = hostName?.replaceAll("%h", alias) ?? alias;
  if (hostName !== undefined) out.hostName = host;
  if (configuredUser !== undefined && user === undefined) out.user = configuredUser;
  if (port !== undefined) out.port = Number.parseInt(port, 10);
  if (proxyJump !== undefined && proxyJump.toLowerCase() !== "none") out.proxyJump = proxyJump;
  const tokens = { host, user: user ?? out.user, alias };
  out.identityFiles = all(computed["identityfile"]).map((f) => expandPath(f, tokens));
  if (knownHosts !== undefined) out.userKnownHostsFile = expandPath(knownHosts, tokens);
  return out;
}

export interface JumpHop {
  host: string;
  user?: string;
  port?: number;
}

/** Splits a ProxyJump value (`[user@]host[:port]`, comma-separated, first hop first). */
export function parseProxyJump(value: string): JumpHop[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((hop) => {
      const cleaned = hop.replace(/^ssh:\/\//, "");
      const at = cleaned.lastIndexOf("@");
      const user = at >= 0 ? cleaned.slice(0, at) : undefined;
      const rest = at >= 0 ? cleaned.slice(at + 1) : cleaned;
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
      const plain = /^([^:]+)(?::(\d+))?$/.exec(rest);
      const m = bracketed ?? plain;
      const host = m?.[1] ?? rest;
      const port = m?.[2] !== undefined ? Number.parseInt(m[2], 10) : undefined;
      return { host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
    });
}

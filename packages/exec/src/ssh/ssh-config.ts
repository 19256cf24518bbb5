import { homedir, userInfo } from "node:os";

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

interface Block {
  patterns: string[];
  /** `Match` blocks are not evaluated; their options never apply */
  isMatch: boolean;
  options: [keyword: string, value: string][];
}

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [{ patterns: ["*"], isMatch: false, options: [] }];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const keyword = (m[1] ?? "").toLowerCase();
    const value = unquote((m[2] ?? "").trim());
    if (keyword === "host") blocks.push({ patterns: value.split(/\s+/), isMatch: false, options: [] });
    else if (keyword === "match") blocks.push({ patterns: [], isMatch: true, options: [] });
    else blocks.at(-1)?.options.push([keyword, value]);
  }
  return blocks;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function patternMatches(pattern: string, host: string): boolean {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${body}$`, "i").test(host);
}

function blockApplies(block: Block, host: string): boolean {
  if (block.isMatch) return false;
  let matched = false;
  for (const p of block.patterns) {
    if (p.startsWith("!")) {
      if (patternMatches(p.slice(1), host)) return false;
    } else if (patternMatches(p, host)) matched = true;
  }
  return matched;
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

/**
 * Options for `alias`, OpenSSH's way: blocks are read top to bottom and the first value seen for a
 * keyword wins (IdentityFile accumulates).
 */
export function resolveHostConfig(text: string, alias: string): HostConfig {
  const out: HostConfig = { identityFiles: [], alias };
  const seen = new Set<string>();
  for (const block of parseBlocks(text)) {
    if (!blockApplies(block, alias)) continue;
    for (const [keyword, value] of block.options) {
      if (keyword === "identityfile") {
        out.identityFiles.push(value);
        continue;
      }
      if (seen.has(keyword)) continue;
      seen.add(keyword);
      switch (keyword) {
        case "hostname":
          out.hostName = value;
          break;
        case "user":
          out.user = value;
          break;
        case "port":
          out.port = Number.parseInt(value, 10);
          break;
        case "proxyjump":
          if (value.toLowerCase() !== "none") out.proxyJump = value;
          break;
        case "userknownhostsfile":
          out.userKnownHostsFile = value.split(/\s+/)[0];
          break;
      }
    }
  }
  const host = out.hostName?.replaceAll("%h", alias) ?? alias;
  if (out.hostName !== undefined) out.hostName = host;
  const tokens = { host, user: out.user, alias };
  out.identityFiles = out.identityFiles.map((f) => expandPath(f, tokens));
  if (out.userKnownHostsFile !== undefined)
    out.userKnownHostsFile = expandPath(out.userKnownHostsFile, tokens);
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

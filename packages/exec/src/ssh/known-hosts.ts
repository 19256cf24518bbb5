import { createHmac } from "node:crypto";
import { keyBlobType } from "./host-key.ts";

type KnownHostMarker = "none" | "revoked" | "cert-authority";

export interface KnownHostEntry {
  marker: KnownHostMarker;
  /** comma-separated patterns as written, or one hashed `|1|salt|hash` name */
  hosts: string;
  keyType: string;
  key: Buffer;
  /** 1-based line in the file, for messages */
  line: number;
}

/** Parses known_hosts text; comments, blank and malformed lines are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostMarker = "none";
    if (fields[0]?.startsWith("@")) {
      const m = fields.shift();
      if (m === "@revoked") marker = "revoked";
      else if (m === "@cert-authority") marker = "cert-authority";
      else return;
    }
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined) return;
    const key = Buffer.from(b64, "base64");
    if (key.length === 0 || keyBlobType(key) !== keyType) return;
    entries.push({ marker, hosts, keyType, key, line: i + 1 });
  });
  return entries;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${body}$`, "i");
}

function hashedMatches(hashed: string, name: string): boolean {
  const [, magic, salt, hash] = hashed.split("|");
  if (magic !== "1" || salt === undefined || hash === undefined) return false;
  const mac = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
  return mac === hash;
}

/**
 * Whether a host-pattern field names `name` (already in `[host]:port` form when the port is not
 * 22). A matching negated pattern vetoes the line, as in OpenSSH.
 */
export function hostsFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith("|")) return hashedMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(",")) {
    const negated = pattern.startsWith("!");
    const glob = negated ? pattern.slice(1) : pattern;
    if (!globToRegExp(glob).test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: "trusted"; entry: KnownHostEntry }
  | { status: "revoked"; entry: KnownHostEntry }
  | { status: "changed"; entries: KnownHostEntry[] }
  | { status: "unknown"; otherKeyTypes: string[] };

/** Decides about a key a server offered for `name`, OpenSSH's strict way. */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  name: string,
  keyBlob: Buffer
): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === "revoked" && e.key.equals(keyBlob));
  if (revoked) return { status: "revoked", entry: revoked };
  const forHost = entries.filter((e) => e.marker === "none" && hostsFieldMatches(e.hosts, name));
  const same = forHost.find((e) => e.key.equals(keyBlob));
  if (same) return { status: "trusted", entry: same };
  const type = keyBlobType(keyBlob);
  const sameType = forHost.filter((e) => e.keyType === type);
  if (sameType.length > 0) return { status: "changed", entries: sameType };
  return { status: "unknown", otherKeyTypes: [...new Set(forHost.map((e) => e.keyType))] };
}

/** Key types known_hosts holds for `name`, so the handshake asks for one of those. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  return [
    ...new Set(
      entries.filter((e) => e.marker === "none" && hostsFieldMatches(e.hosts, name)).map((e) => e.keyType)
    )
  ];
}

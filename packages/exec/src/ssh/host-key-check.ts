import { readFile } from "node:fs/promises";
import { ExecError } from "@neoxctl/core";
import { fingerprintSha256, keyBlobType, knownHostsName, signatureAlgorithmsFor } from "./host-key.ts";
import { checkHostKey, knownKeyTypes, parseKnownHosts } from "./known-hosts.ts";
import type { KnownHostEntry } from "./known-hosts.ts";

/** known_hosts as read for one connection attempt (re-read on reconnect, so edits take effect). */
export interface KnownHosts {
  file: string;
  missing: boolean;
  entries: KnownHostEntry[];
}

export async function loadKnownHosts(file: string): Promise<KnownHosts> {
  try {
    return { file, missing: false, entries: parseKnownHosts(await readFile(file, "utf8")) };
  } catch (err) {
    if (err instanceof Error && "code" in err && err.code === "ENOENT")
      return { file, missing: true, entries: [] };
    throw new ExecError("SSH_CONNECT", `cannot read known_hosts file ${file}: ${(err as Error).message}`, {
      file
    });
  }
}

/** Host-key algorithms to ask the server for: those known for the host, or ssh2's defaults. */
export function preferredHostKeyAlgorithms(known: KnownHosts, host: string, port: number): string[] {
  return knownKeyTypes(known.entries, knownHostsName(host, port)).flatMap((t) => [
    ...signatureAlgorithmsFor(t)
  ]);
}

/**
 * Strict checking: returns null when the key is recorded for the host, otherwise the error that
 * refuses the connection. Nothing is ever added to known_hosts.
 */
export function verifyHostKey(
  known: KnownHosts,
  host: string,
  port: number,
  keyBlob: Buffer
): ExecError | null {
  const name = knownHostsName(host, port);
  const fingerprint = fingerprintSha256(keyBlob);
  const keyType = keyBlobType(keyBlob) ?? "unknown-type";
  const details = { host: name, fingerprint, keyType, knownHostsFile: known.file };
  const verdict = checkHostKey(known.entries, name, keyBlob);
  switch (verdict.status) {
    case "trusted":
      return null;
    case "revoked":
      return new ExecError(
        "SSH_HOSTKEY_CHANGED",
        `host key for ${name} (${keyType} ${fingerprint}) is marked @revoked in ${known.file}:${verdict.entry.line}; refusing to connect`,
        { ...details, reason: "revoked", line: verdict.entry.line }
      );
    case "changed": {
      const recorded = verdict.entries.map((e) => `${fingerprintSha256(e.key)} (line ${e.line})`).join(", ");
      return new ExecError(
        "SSH_HOSTKEY_CHANGED",
        `HOST KEY CHANGED for ${name}: the server offered ${keyType} ${fingerprint} but ${known.file} records ${recorded}. ` +
          `Someone may be intercepting the connection, or the host was reinstalled; refusing to connect. ` +
          `Check the new fingerprint with the cluster's admins before replacing the entry.`,
        { ...details, reason: "changed", recorded: verdict.entries.map((e) => fingerprintSha256(e.key)) }
      );
    }
    case "unknown": {
      const where = known.missing ? `${known.file} (which does not exist)` : known.file;
      const others =
        verdict.otherKeyTypes.length > 0
          ? ` (it lists only ${verdict.otherKeyTypes.join(", ")} keys for this host)`
          : "";
      return new ExecError(
        "SSH_HOSTKEY_UNKNOWN",
        `host key for ${name} is not in ${where}${others}: the server offered ${keyType} ${fingerprint}. ` +
          `Refusing to connect to an unverified host; confirm this fingerprint with the cluster's documentation ` +
          `or admins, then add the host's line to ${known.file}.`,
        { ...details, reason: "unknown", otherKeyTypes: verdict.otherKeyTypes }
      );
    }
  }
}

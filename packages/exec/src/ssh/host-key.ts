import { createHash } from "node:crypto";

/** OpenSSH's fingerprint form: `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The algorithm name written at the start of an SSH public-key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyBlobType(keyBlob: Buffer): string | undefined {
  if (keyBlob.length < 4) return undefined;
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4 || len > 64) return undefined;
  return keyBlob.subarray(4, 4 + len).toString("latin1");
}

/** How OpenSSH names a host in known_hosts: bare on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * Host-key signature algorithms ssh2 can offer for a stored key type. Asking the server only for
 * the types already known for a host is what keeps a host with several keys from being "unknown".
 */
export function signatureAlgorithmsFor(keyType: string): readonly string[] {
  switch (keyType) {
    case "ssh-ed25519":
    case "ecdsa-sha2-nistp256":
    case "ecdsa-sha2-nistp384":
    case "ecdsa-sha2-nistp521":
      return [keyType];
    case "ssh-rsa":
      return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
    default:
      return [];
  }
}

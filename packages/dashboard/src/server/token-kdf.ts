import { randomBytes, scrypt, scryptSync, timingSafeEqual } from "node:crypto";
import type { ScryptOptions } from "node:crypto";
import { z } from "zod";

/**
 * scrypt cost for new tokens: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds). OWASP's
 * password-storage cheat sheet (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html)
 * asks more of human passwords; these secrets are 32 random bytes, so the KDF is a second wall
 * behind that entropy, and every action request pays it once per stored token. The parameters are
 * written into each hash, so raising them later leaves existing tokens valid.
 */
export const SCRYPT_COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** Bounds a hash read from a file may ask for: a typo or a hostile file must not take the host's memory. */
const MAX_LOG2_N = 20;
const MAX_R = 32;
const MAX_P = 16;
/** scrypt needs about 128·N·r bytes (Node's `maxmem` check, https://nodejs.org/api/crypto.html#cryptoscryptpassword-salt-keylen-options-callback) */
const MAX_MEM = 256 * 1024 * 1024;
/** N·r·p at most 32 times the cost of new tokens: p repeats the work instead of adding memory */
const MAX_WORK = 32 * SCRYPT_COST.N * SCRYPT_COST.r * SCRYPT_COST.p;

const B64URL = "[A-Za-z0-9_-]";
const HASH_RE = new RegExp(
  `^scrypt\\$N=(\\d{1,8})\\$r=(\\d{1,3})\\$p=(\\d{1,3})\\$(${B64URL}{22,88})\\$(${B64URL}{43})$`
);

/** A parsed scrypt hash: cost, salt and derived key. */
export interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function decode(text: string): ScryptHash | undefined {
  const m = HASH_RE.exec(text);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const powerOfTwo = N >= 2 && (N & (N - 1)) === 0 && Math.log2(N) <= MAX_LOG2_N;
  const inBounds = r >= 1 && r <= MAX_R && p >= 1 && p <= MAX_P;
  if (!powerOfTwo || !inBounds || 128 * N * r > MAX_MEM || N * r * p > MAX_WORK) return undefined;
  return {
    N,
    r,
    p,
    salt: Buffer.from(m[4] as string, "base64url"),
    key: Buffer.from(m[5] as string, "base64url")
  };
}

/**
 * `scrypt$N=32768$r=8$p=1$<salt>$<key>` (base64url, no padding): everything needed to check a
 * secret. No commas or colons, so it sits unquoted in a YAML flow line and in a comma-separated
 * `$NEOXCTL_DASHBOARD_TOKENS`.
 */
export const ScryptHashSchema = z
  .string()
  .refine((s) => decode(s) !== undefined, {
    message: `scrypt$N=<power of two ≤ 2^${MAX_LOG2_N}>$r=<1-${MAX_R}>$p=<1-${MAX_P}>$<salt>$<key>, as written by \`neoxctl dashboard token add\``
  })
  .describe("scrypt hash of the secret: scrypt$N=…$r=…$p=…$<salt base64url>$<key base64url>");

/** The hash of a schema-checked string (the schema guarantees it decodes). */
export function parseScryptHash(text: string): ScryptHash {
  const h = decode(text);
  if (!h) throw new Error("not a scrypt hash (check it with ScryptHashSchema first)");
  return h;
}

function options(h: { N: number; r: number; p: number }): ScryptOptions {
  return { N: h.N, r: h.r, p: h.p, maxmem: MAX_MEM };
}

/**
 * Hashes a new secret with a fresh salt. Synchronous: it runs once, when a token is issued by the
 * CLI; the server only verifies, and does that off the event loop.
 */
export function hashSecret(secret: string): string {
  const salt = randomBytes(SALT_BYTES);
  const key = scryptSync(secret, salt, KEY_BYTES, options(SCRYPT_COST));
  const { N, r, p } = SCRYPT_COST;
  return `scrypt$N=${N}$r=${r}$p=${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** Derives the key for `secret` with the hash's salt and cost (libuv's thread pool, not the event loop). */
export function deriveKey(secret: string, h: ScryptHash): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, h.salt, h.key.length, options(h), (err, key) => (err ? reject(err) : resolve(key)))
  );
}

/** Constant-time comparison of a derived key with the stored one. */
export async function verifySecret(secret: string, h: ScryptHash): Promise<boolean> {
  return timingSafeEqual(await deriveKey(secret, h), h.key);
}

import { createHash, timingSafeEqual } from "node:crypto";
import { SpecError } from "@neoxctl/core";
import { parseScryptHash, verifySecret } from "./token-kdf.ts";
import type { ScryptHash } from "./token-kdf.ts";
import { DEFAULT_TOKEN_NAME, sha256Hex } from "./tokens.ts";
import type { NamedToken } from "./tokens.ts";

export type Identify = { outcome: "ok"; name: string } | { outcome: "read_only" | "missing" | "wrong" };

/**
 * How one accepted token is checked: scrypt for issued tokens; a SHA-256 digest for legacy file
 * entries and for the single `--token-file` secret (that one is plain text on disk already, so a
 * digest in memory weakens nothing).
 */
type Entry =
  { name: string; kind: "scrypt"; hash: ScryptHash } | { name: string; kind: "sha256"; digest: Buffer };

const digestOf = (secret: string): Buffer => createHash("sha256").update(secret).digest();

/**
 * The action tokens a dashboard accepts, each with a name. A secret is checked against every entry
 * with no early exit (scrypt keys and digests compared in constant time), so neither timing nor the
 * order of the list says which name came close. Checks run one at a time: a flood of guesses
 * queues behind itself instead of running many 32 MiB scrypts at once. A secret that matched is
 * remembered (by its digest, in memory) so a working token does not pay the KDF on every click;
 * only matching secrets are kept, so the memo holds at most one entry per token.
 */
export class TokenRing {
  private readonly entries: Entry[];
  private readonly matched = new Map<string, string>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(tokens: readonly NamedToken[], single?: string) {
    this.entries = tokens.map((t): Entry =>
      "hash" in t
        ? { name: t.name, kind: "scrypt", hash: parseScryptHash(t.hash) }
        : { name: t.name, kind: "sha256", digest: Buffer.from(t.sha256, "hex") }
    );
    if (single !== undefined)
      this.entries.push({ name: DEFAULT_TOKEN_NAME, kind: "sha256", digest: digestOf(single) });
  }

  /** The legacy single secret (as actor `default`) plus named tokens; a name may not repeat. */
  static of(opts: { token?: string | undefined; tokens?: readonly NamedToken[] | undefined }): TokenRing {
    const list: NamedToken[] = [...(opts.tokens ?? [])];
    const single = opts.token !== undefined && opts.token !== "" ? opts.token : undefined;
    if (single !== undefined && list.some((t) => t.name === DEFAULT_TOKEN_NAME))
      throw new SpecError("SPEC_INVALID", [
        {
          path: "tokens",
          received: DEFAULT_TOKEN_NAME,
          rule: `the single action token acts as "${DEFAULT_TOKEN_NAME}"; a named token may not use that name too`
        }
      ]);
    return new TokenRing(list, single);
  }

  get size(): number {
    return this.entries.length;
  }

  names(): string[] {
    return this.entries.map((h) => h.name);
  }

  identify(header: string | undefined): Promise<Identify> {
    if (this.entries.length === 0) return Promise.resolve({ outcome: "read_only" });
    if (!header) return Promise.resolve({ outcome: "missing" });
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return Promise.resolve({ outcome: "missing" });
    return this.identifySecret(match[1]);
  }

  /** The same check for a secret given in a form field. */
  async identifySecret(secret: string): Promise<Identify> {
    if (this.entries.length === 0) return { outcome: "read_only" };
    const memo = this.matched.get(sha256Hex(secret));
    if (memo !== undefined) return { outcome: "ok", name: memo };
    const run = this.tail.then(() => this.match(secret));
    this.tail = run.catch(() => undefined);
    const found = await run;
    if (found === undefined) return { outcome: "wrong" };
    this.matched.set(sha256Hex(secret), found);
    return { outcome: "ok", name: found };
  }

  private async match(secret: string): Promise<string | undefined> {
    const digest = digestOf(secret);
    let found: string | undefined;
    for (const e of this.entries) {
      let same: boolean;
      switch (e.kind) {
        case "scrypt":
          same = await verifySecret(secret, e.hash);
          break;
        case "sha256":
          same = timingSafeEqual(digest, e.digest);
          break;
      }
      if (same && found === undefined) found = e.name;
    }
    return found;
  }
}

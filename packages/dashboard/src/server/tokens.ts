import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { SpecError } from "@neoxctl/core";

/** A token name as it appears in the decision log (`dashboard:<name>`). */
export const TokenNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, "a token name such as oncall or alice");

/** One named action token as kept at rest: its name and the sha256 (hex) of its secret, never the secret. */
export const NamedTokenSchema = z.strictObject({
  name: TokenNameSchema,
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "the sha256 of the token, 64 lowercase hex digits")
    .describe("sha256 of the secret, hex")
});
export type NamedToken = z.output<typeof NamedTokenSchema>;

/** The actor name the old single token (`--token-file`, `$NEOXCTL_DASHBOARD_TOKEN`) acts as. */
export const DEFAULT_TOKEN_NAME = "default";

export function sha256Hex(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A new random secret (base64url, 32 bytes) and the record that goes in the tokens file. */
export function newNamedToken(name: string): { secret: string; record: NamedToken } {
  const secret = randomBytes(32).toString("base64url");
  return { secret, record: NamedTokenSchema.parse({ name, sha256: sha256Hex(secret) }) };
}

/**
 * Reads a tokens file: one token per line, each line a JSON object or a YAML flow mapping (a
 * leading `- ` is allowed, so a YAML list of flow mappings reads too); blank lines and `#`
 * comments are skipped. Every line is checked; all problems are reported together.
 */
export function parseTokensFile(text: string, source = "tokens file"): NamedToken[] {
  const tokens: NamedToken[] = [];
  const issues: { path: string; received: string; rule: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim().replace(/^-\s+/, "");
    if (line === "" || line.startsWith("#")) return;
    let value: unknown;
    try {
      value = parseYaml(line);
    } catch {
      issues.push({ path: `${source}:${i + 1}`, received: "(not shown)", rule: "not JSON or YAML" });
      return;
    }
    const r = NamedTokenSchema.safeParse(value);
    if (r.success) tokens.push(r.data);
    else
      for (const issue of r.error.issues)
        issues.push({
          path: `${source}:${i + 1}${issue.path.length ? `.${issue.path.join(".")}` : ""}`,
          received: "(not shown)",
          rule: issue.message
        });
  });
  const seen = new Set<string>();
  for (const t of tokens) {
    if (seen.has(t.name))
      issues.push({ path: source, received: t.name, rule: "each token name appears once" });
    seen.add(t.name);
  }
  if (issues.length) throw new SpecError("SPEC_INVALID", issues);
  return tokens;
}

/**
 * Reads `$NEOXCTL_DASHBOARD_TOKENS`: `name=sha256hex` pairs separated by commas or whitespace.
 */
export function parseTokensEnv(value: string): NamedToken[] {
  const lines = value
    .split(/[\s,]+/)
    .filter((p) => p !== "")
    .map((p) => {
      const eq = p.indexOf("=");
      return JSON.stringify(eq < 0 ? { name: p } : { name: p.slice(0, eq), sha256: p.slice(eq + 1) });
    });
  return parseTokensFile(lines.join("\n"), "$NEOXCTL_DASHBOARD_TOKENS");
}

/** One line to append to a tokens file. */
export function tokensFileLine(t: NamedToken): string {
  return `${JSON.stringify(t)}\n`;
}

export type Identify = { outcome: "ok"; name: string } | { outcome: "read_only" | "missing" | "wrong" };

/**
 * The action tokens a dashboard accepts, each with a name. The bearer is hashed and compared with
 * every stored hash in constant time (no early exit), so neither timing nor the order of the list
 * says which name came close.
 */
export class TokenRing {
  private readonly hashes: { name: string; hash: Buffer }[];

  constructor(tokens: readonly NamedToken[]) {
    this.hashes = tokens.map((t) => ({ name: t.name, hash: Buffer.from(t.sha256, "hex") }));
  }

  /** The legacy single secret (as actor `default`) plus named tokens; a name may not repeat. */
  static of(opts: { token?: string | undefined; tokens?: readonly NamedToken[] | undefined }): TokenRing {
    const list: NamedToken[] = [...(opts.tokens ?? [])];
    if (opts.token !== undefined && opts.token !== "") {
      if (list.some((t) => t.name === DEFAULT_TOKEN_NAME))
        throw new SpecError("SPEC_INVALID", [
          {
            path: "tokens",
            received: DEFAULT_TOKEN_NAME,
            rule: `the single action token acts as "${DEFAULT_TOKEN_NAME}"; a named token may not use that name too`
          }
        ]);
      list.push({ name: DEFAULT_TOKEN_NAME, sha256: sha256Hex(opts.token) });
    }
    return new TokenRing(list);
  }

  get size(): number {
    return this.hashes.length;
  }

  names(): string[] {
    return this.hashes.map((h) => h.name);
  }

  identify(header: string | undefined): Identify {
    if (this.hashes.length === 0) return { outcome: "read_only" };
    if (!header) return { outcome: "missing" };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return { outcome: "missing" };
    return this.identifySecret(match[1]);
  }

  /** The same check for a secret given in a form field. */
  identifySecret(secret: string): Identify {
    if (this.hashes.length === 0) return { outcome: "read_only" };
    const given = createHash("sha256").update(secret).digest();
    let found: string | undefined;
    for (const h of this.hashes) if (timingSafeEqual(given, h.hash) && found === undefined) found = h.name;
    return found === undefined ? { outcome: "wrong" } : { outcome: "ok", name: found };
  }
}

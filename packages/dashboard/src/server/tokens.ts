import { createHash, randomBytes } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { SpecError } from "@neoxctl/core";
import { hashSecret, ScryptHashSchema } from "./token-kdf.ts";

/** A token name as it appears in the decision log (`dashboard:<name>`). */
export const TokenNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, "a token name such as oncall or alice");

/** A token issued by `neoxctl dashboard token add`: its name and a salted scrypt hash of the secret. */
const ScryptTokenSchema = z.strictObject({ name: TokenNameSchema, hash: ScryptHashSchema });

/**
 * A token issued before scrypt: an unsalted SHA-256 of the secret. Still accepted so upgrading does
 * not lock anyone out, but reported on load (dashboard, `token list`, doctor) until it is re-issued.
 */
const LegacyTokenSchema = z.strictObject({
  name: TokenNameSchema,
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "the sha256 of the token, 64 lowercase hex digits")
    .describe("unsalted sha256 of the secret, hex (legacy: re-issue the token)")
});

/** One named action token as kept at rest: its name and a hash of its secret, never the secret. */
export const NamedTokenSchema = z.union([ScryptTokenSchema, LegacyTokenSchema]);
export type NamedToken = z.output<typeof NamedTokenSchema>;

/** The actor name the old single token (`--token-file`, `$NEOXCTL_DASHBOARD_TOKEN`) acts as. */
export const DEFAULT_TOKEN_NAME = "default";

export function sha256Hex(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** How a stored token is hashed: `legacy-sha256` entries should be re-issued. */
export type TokenFormat = "scrypt" | "legacy-sha256";

export function tokenFormat(t: NamedToken): TokenFormat {
  return "hash" in t ? "scrypt" : "legacy-sha256";
}

/** One warning per legacy entry, naming the token and what to do (no hash is shown). */
export function legacyTokenWarnings(tokens: readonly NamedToken[], source: string): string[] {
  return tokens
    .filter((t) => tokenFormat(t) === "legacy-sha256")
    .map(
      (t) =>
        `${source}: token "${t.name}" is an unsalted SHA-256 hash (legacy); re-issue it: remove its line, run \`neoxctl dashboard token add ${t.name} --file <tokens file>\` and hand out the new secret`
    );
}

/** A new random secret (base64url, 32 bytes) and the record that goes in the tokens file. */
export function newNamedToken(name: string): { secret: string; record: NamedToken } {
  const secret = randomBytes(32).toString("base64url");
  return { secret, record: ScryptTokenSchema.parse({ name, hash: hashSecret(secret) }) };
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
    // the key picks the schema, so a bad entry gets that format's message, not a union's
    const legacy = typeof value === "object" && value !== null && "sha256" in value;
    const r = (legacy ? LegacyTokenSchema : ScryptTokenSchema).safeParse(value);
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
 * Reads `$NEOXCTL_DASHBOARD_TOKENS`: `name=<hash>` pairs separated by commas or whitespace, the
 * hash as in a tokens file (`scrypt$…`, or 64 hex digits for a legacy SHA-256 entry).
 */
export function parseTokensEnv(value: string): NamedToken[] {
  const lines = value
    .split(/[\s,]+/)
    .filter((p) => p !== "")
    .map((p) => {
      const eq = p.indexOf("=");
      if (eq < 0) return JSON.stringify({ name: p });
      const hash = p.slice(eq + 1);
      return JSON.stringify({
        name: p.slice(0, eq),
        ...(/^[0-9a-f]{64}$/.test(hash) ? { sha256: hash } : { hash })
      });
    });
  return parseTokensFile(lines.join("\n"), "$NEOXCTL_DASHBOARD_TOKENS");
}

/** One line to append to a tokens file. */
export function tokensFileLine(t: NamedToken): string {
  return `${JSON.stringify(t)}\n`;
}

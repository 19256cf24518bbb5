import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SpecError } from "@neoxctl/core";
import { hashSecret, parseScryptHash, SCRYPT_COST, ScryptHashSchema } from "./token-kdf.ts";
import { TokenRing } from "./token-ring.ts";
import {
  legacyTokenWarnings,
  newNamedToken,
  parseTokensEnv,
  parseTokensFile,
  sha256Hex,
  tokenFormat,
  tokensFileLine
} from "./tokens.ts";

const alice = newNamedToken("alice");
const bob = newNamedToken("bob");
// a token as `dashboard token add` wrote it before scrypt: the bare SHA-256 of the secret
const OLD_SECRET = "carol-old-secret-0123456789abcdef";
const carol = { name: "carol", sha256: createHash("sha256").update(OLD_SECRET).digest("hex") };

describe("named action tokens", () => {
  it("issues scrypt hashes: salted, with the cost written in, never the secret or its SHA-256", () => {
    const hash = (alice.record as { hash: string }).hash;
    expect(hash).toMatch(/^scrypt\$N=32768\$r=8\$p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(tokensFileLine(alice.record)).not.toContain(alice.secret);
    expect(tokensFileLine(alice.record)).not.toContain(sha256Hex(alice.secret));
    expect(tokenFormat(alice.record)).toBe("scrypt");
    // the same secret hashed twice differs (its own salt each time)
    expect(hashSecret("same-secret")).not.toBe(hashSecret("same-secret"));
    expect(parseScryptHash(hash)).toMatchObject(SCRYPT_COST);
  });

  it("reads JSON lines and YAML flow lines of both formats, skipping comments and blanks", () => {
    const text = [
      "# on-call tokens",
      tokensFileLine(alice.record).trim(),
      "",
      `- {name: bob, hash: ${(bob.record as { hash: string }).hash}}`,
      JSON.stringify(carol)
    ].join("\n");
    const tokens = parseTokensFile(text);
    expect(tokens).toEqual([alice.record, bob.record, carol]);
    expect(tokens.map(tokenFormat)).toEqual(["scrypt", "scrypt", "legacy-sha256"]);
  });

  it("warns once per legacy SHA-256 entry, naming it and saying to re-issue, without the hash", () => {
    const warnings = legacyTokenWarnings([alice.record, carol], "/etc/neoxctl/tokens");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('token "carol"');
    expect(warnings[0]).toContain("re-issue");
    expect(warnings[0]).not.toContain(carol.sha256);
    expect(legacyTokenWarnings([alice.record], "f")).toEqual([]);
  });

  it("refuses a plain secret, a bad name, a repeated name and an out-of-bounds scrypt cost, all at once", () => {
    const [, , , , salt, key] = (alice.record as { hash: string }).hash.split("$");
    const text = [
      JSON.stringify({ name: "x", token: "plain-secret" }),
      JSON.stringify({ name: "-x", sha256: sha256Hex("s") }),
      tokensFileLine(alice.record).trim(),
      tokensFileLine(alice.record).trim(),
      // 2^24 would ask scrypt for 16 GiB
      JSON.stringify({ name: "huge", hash: `scrypt$N=16777216$r=8$p=1$${salt}$${key}` }),
      JSON.stringify({ name: "odd", hash: `scrypt$N=1000$r=8$p=1$${salt}$${key}` })
    ].join("\n");
    try {
      parseTokensFile(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      const issues = (e as SpecError).issues;
      expect(issues.map((i) => i.path)).toEqual(
        expect.arrayContaining([
          "tokens file:1",
          "tokens file:2.name",
          "tokens file:5.hash",
          "tokens file:6.hash"
        ])
      );
      expect(issues.some((i) => i.rule === "each token name appears once")).toBe(true);
      expect(JSON.stringify(issues)).not.toContain("plain-secret");
    }
    expect(ScryptHashSchema.safeParse(`scrypt$N=32768$r=8$p=1$${salt}$${key}`).success).toBe(true);
  });

  it("reads name=hash pairs of both formats from the environment", () => {
    const aliceHash = (alice.record as { hash: string }).hash;
    expect(parseTokensEnv(`alice=${aliceHash}, carol=${carol.sha256}`)).toEqual([alice.record, carol]);
  });
});

describe("the token ring", () => {
  it("identifies the bearer by name for scrypt and legacy entries; the single old token acts as default", async () => {
    const ring = TokenRing.of({
      token: "legacy-token-0123456789",
      tokens: [alice.record, bob.record, carol]
    });
    expect(await ring.identify(`Bearer ${bob.secret}`)).toEqual({ outcome: "ok", name: "bob" });
    expect(await ring.identify(`Bearer ${alice.secret}`)).toEqual({ outcome: "ok", name: "alice" });
    expect(await ring.identify(`Bearer ${OLD_SECRET}`)).toEqual({ outcome: "ok", name: "carol" });
    expect(await ring.identify("Bearer legacy-token-0123456789")).toEqual({ outcome: "ok", name: "default" });
    expect(await ring.identify("Bearer nope")).toEqual({ outcome: "wrong" });
    // a secret's SHA-256 is not the secret: scrypt entries are not matched by their old-style hash
    expect(await ring.identify(`Bearer ${sha256Hex(alice.secret)}`)).toEqual({ outcome: "wrong" });
    expect(await ring.identify(`Bearer ${bob.secret}x`)).toEqual({ outcome: "wrong" });
    expect(await ring.identify(undefined)).toEqual({ outcome: "missing" });
    expect(await TokenRing.of({}).identify(`Bearer ${alice.secret}`)).toEqual({ outcome: "read_only" });
  });

  it("answers the same for a secret checked again (remembered) and for many checked at once", async () => {
    const ring = new TokenRing([alice.record, bob.record]);
    const answers = await Promise.all(
      [alice.secret, "wrong-1", bob.secret, alice.secret, "wrong-2"].map((s) => ring.identifySecret(s))
    );
    expect(answers.map((a) => (a.outcome === "ok" ? a.name : a.outcome))).toEqual([
      "alice",
      "wrong",
      "bob",
      "alice",
      "wrong"
    ]);
    expect(await ring.identifySecret(alice.secret)).toEqual({ outcome: "ok", name: "alice" });
  });
});

import { describe, expect, it } from "vitest";
import { SpecError } from "@neoxctl/core";
import {
  newNamedToken,
  parseTokensEnv,
  parseTokensFile,
  sha256Hex,
  TokenRing,
  tokensFileLine
} from "./tokens.ts";

const alice = newNamedToken("alice");
const bob = newNamedToken("bob");

describe("named action tokens", () => {
  it("reads JSON lines and YAML flow lines, skipping comments and blanks", () => {
    const text = [
      "# on-call tokens",
      tokensFileLine(alice.record).trim(),
      "",
      `- {name: bob, sha256: ${bob.record.sha256}}`
    ].join("\n");
    expect(parseTokensFile(text)).toEqual([alice.record, bob.record]);
  });

  it("refuses a plain secret, a bad name and a repeated name, all at once", () => {
    const text = [
      JSON.stringify({ name: "x", token: "plain-secret" }),
      JSON.stringify({ name: "-x", sha256: sha256Hex("s") }),
      tokensFileLine(alice.record),
      tokensFileLine(alice.record)
    ].join("\n");
    try {
      parseTokensFile(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      const issues = (e as SpecError).issues;
      expect(issues.length).toBeGreaterThanOrEqual(3);
      expect(JSON.stringify(issues)).not.toContain("plain-secret");
    }
  });

  it("reads name=hash pairs from the environment", () => {
    expect(parseTokensEnv(`alice=${alice.record.sha256}, bob=${bob.record.sha256}`)).toEqual([
      alice.record,
      bob.record
    ]);
  });

  it("identifies the bearer by name; the single old token acts as default", () => {
    const ring = TokenRing.of({ token: "legacy-token-0123456789", tokens: [alice.record, bob.record] });
    expect(ring.identify(`Bearer ${bob.secret}`)).toEqual({ outcome: "ok", name: "bob" });
    expect(ring.identify("Bearer legacy-token-0123456789")).toEqual({ outcome: "ok", name: "default" });
    expect(ring.identify("Bearer nope")).toEqual({ outcome: "wrong" });
    expect(ring.identify(undefined)).toEqual({ outcome: "missing" });
    expect(TokenRing.of({}).identify(`Bearer ${alice.secret}`)).toEqual({ outcome: "read_only" });
  });
});

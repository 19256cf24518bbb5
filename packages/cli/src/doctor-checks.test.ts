import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { newNamedToken, tokensFileLine } from "@neoxctl/dashboard";
import { formatDoctor, tokensCheck } from "./doctor-checks.ts";

describe("formatDoctor", () => {
  it("one ok/FAIL line per check, then a verdict", () => {
    const text = formatDoctor({
      ok: false,
      checks: [
        { kind: "redis", subject: "redis", ok: true, detail: "reachable" },
        {
          kind: "supervision",
          subject: "lumi",
          ok: false,
          detail: "2 active run(s) and NO live supervisor holds them"
        }
      ]
    });
    expect(text.split("\n")).toEqual([
      "ok   redis       redis: reachable",
      "FAIL supervision lumi: 2 active run(s) and NO live supervisor holds them",
      "1 problem(s); see docs/monitoring.md for what to do",
      ""
    ]);
  });

  it("says so when every check passed", () => {
    expect(formatDoctor({ ok: true, checks: [] })).toBe("all checks passed\n");
  });
});

describe("the doctor's tokens check", () => {
  const dir = mkdtempSync(join(tmpdir(), "doctor-tokens-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, lines: string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, lines.join("\n"));
    return path;
  };
  const fresh = newNamedToken("alice");
  const legacy = {
    name: "carol",
    sha256: createHash("sha256").update("carol-secret-0123456789").digest("hex")
  };

  it("warns (without failing) when a token still has the legacy SHA-256 hash, and says to re-issue it", async () => {
    const check = await tokensCheck(file("mixed", [tokensFileLine(fresh.record), JSON.stringify(legacy)]));
    expect(check).toMatchObject({ kind: "tokens", ok: true, warning: true });
    expect(check?.detail).toContain('token "carol"');
    expect(check?.detail).toContain("re-issue");
    expect(check?.detail).not.toContain(legacy.sha256);
    expect(formatDoctor({ ok: true, checks: [check!] })).toMatch(/^warn tokens /);
  });

  it("is plain ok when every token is scrypt, and FAIL when the file does not parse", async () => {
    expect(await tokensCheck(file("fresh", [tokensFileLine(fresh.record)]))).toMatchObject({
      ok: true,
      detail: "1 token(s), all scrypt"
    });
    expect((await tokensCheck(file("fresh", [tokensFileLine(fresh.record)])))?.warning).toBeUndefined();
    expect(await tokensCheck(file("bad", ["{name: x, token: plain}"]))).toMatchObject({ ok: false });
  });
});

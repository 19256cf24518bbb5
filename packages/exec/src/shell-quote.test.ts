import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExecError } from "@neoxctl/core";
import { quoteArg, remoteCommandLine, shellQuote } from "./shell-quote.ts";

/** Runs a quoted line through a real `sh -c` and splits what printf '%s\0' echoed back. */
function roundTrip(argv: readonly string[]): string[] {
  const out = execFileSync("sh", ["-c", `printf '%s\\0' ${shellQuote(argv)}`], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

describe("shellQuote", () => {
  it("single-quotes every argument and escapes single quotes", () => {
    expect(quoteArg("plain")).toBe("'plain'");
    expect(quoteArg("")).toBe("''");
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote(["a b", "$(x)"])).toBe("'a b' '$(x)'");
  });

  it("refuses NUL bytes", () => {
    expect(() => quoteArg("a\0b")).toThrow(ExecError);
  });

  it("passes metacharacters through sh literally", () => {
    const nasty = [
      "$(touch /tmp/pwned)",
      "`id`",
      `"dq" 'sq'`,
      "a b\nc",
      ";|&<>*?~",
      "λ ünï 🚀",
      "",
      "-n",
      "A=b"
    ];
    expect(roundTrip(nasty)).toEqual(nasty);
  });

  it("round-trips random strings through a real sh -c", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: "binary" }).map((s) => s.replaceAll("\0", "")),
          { minLength: 1, maxLength: 5 }
        ),
        (argv) => {
          expect(roundTrip(argv)).toEqual(argv);
        }
      ),
      { numRuns: 200 }
    );
  });
});

describe("remoteCommandLine", () => {
  it("applies cwd and env through the quoted line", () => {
    expect(remoteCommandLine(["ls", "-l"], { cwd: "/a b", env: { K: "v'1" } })).toBe(
      `cd -- '/a b' && env 'K=v'\\''1' 'ls' '-l'`
    );
  });

  it("bounds a timed-out command on the remote side too", () => {
    expect(remoteCommandLine(["sleep", "9"], { timeoutMs: 1500 })).toBe(`timeout -s KILL 3 'sleep' '9'`);
  });

  it("rejects bad env names and empty argv", () => {
    expect(() => remoteCommandLine(["x"], { env: { "A;rm": "1" } })).toThrow(/invalid environment variable/);
    expect(() => remoteCommandLine([])).toThrow(/empty command/);
  });
});

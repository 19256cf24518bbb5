import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ESLint } from "eslint";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";

// The style rules are enforced by `npm test`, not only configured: these probes must be refused by the
// same Prettier and ESLint configuration the test command runs.
const REPO = resolve(import.meta.dirname, "../..");
const PROBES = join(REPO, "test/style/probes");

async function lintProbe(file: string): Promise<string[]> {
  // `ignore: false` lifts the config's ignore of the probes folder, nothing else
  const eslint = new ESLint({ cwd: REPO, ignore: false });
  const [result] = await eslint.lintFiles([join(PROBES, file)]);
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe("enforced style", () => {
  it("npm test checks formatting, types and lint before any test runs", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: { test: string } };
    expect(pkg.scripts.test).toMatch(/^prettier --check \. /);
    expect(pkg.scripts.test).toMatch(/eslint/);
  });

  it("Prettier with the repo's config refuses unformatted code", async () => {
    const path = join(PROBES, "unformatted.ts");
    const options = await prettier.resolveConfig(path);
    expect(options).not.toBeNull();
    const text = readFileSync(path, "utf8");
    expect(await prettier.check(text, { ...options, filepath: path })).toBe(false);
    const formatted = await prettier.format(text, { ...options, filepath: path });
    expect(await prettier.check(formatted, { ...options, filepath: path })).toBe(true);
  });

  it("ESLint refuses a floating promise", async () => {
    expect(await lintProbe("floating-promise.ts")).toContain("@typescript-eslint/no-floating-promises");
  });

  it("ESLint refuses a switch over EventType that only a default makes complete", async () => {
    expect(await lintProbe("non-exhaustive-switch.ts")).toContain(
      "@typescript-eslint/switch-exhaustiveness-check"
    );
  });
});

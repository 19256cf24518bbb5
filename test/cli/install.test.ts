import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
const CLI_DIR = join(REPO, "packages", "cli");
const SPEC = join(REPO, "examples", "emma500-llama3-8b.yaml");

/**
 * The CLI as a user gets it: `npm pack` of packages/cli (built by the global setup), installed
 * with `npm install -g` into a scratch prefix outside the repository, then run from there. Its
 * dependencies come from the npm cache `npm ci` filled, or the registry.
 */
describe("npm pack + npm install -g of the CLI", () => {
  const work = mkdtempSync(join(tmpdir(), "neoxctl-install-"));
  const prefix = join(work, "prefix");
  const bin = join(prefix, "bin", "neoxctl");
  const run = (cmd: string, args: readonly string[], cwd: string): string =>
    execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

  beforeAll(() => {
    run("npm", ["pack", "--pack-destination", work, "--silent"], CLI_DIR);
    const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (tgz === undefined) throw new Error(`npm pack left no tarball in ${work}`);
    run(
      "npm",
      ["install", "-g", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", join(work, tgz)],
      work
    );
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("packs the compiled code and no sources or workspace packages", () => {
    const pkgDir = join(prefix, "lib", "node_modules", "neoxctl");
    expect(readdirSync(pkgDir).sort()).toEqual(["README.md", "bin", "dist", "node_modules", "package.json"]);
    expect(readdirSync(join(pkgDir, "node_modules")).filter((d) => d.startsWith("@neoxctl"))).toEqual([]);
  });

  it("prints its version and every command's examples", () => {
    expect(run(bin, ["--version"], work).trim()).toBe("0.1.0");
    expect(run(bin, ["plan", "--help"], work)).toMatch(/\nExamples:\n {2}\$ neoxctl plan /);
  });

  it("plans the EMMA-500 example with a bundled cluster profile, byte for byte as the checkout does", () => {
    const installed = join(work, "plan-installed");
    const checkout = join(work, "plan-checkout");
    run(bin, ["plan", SPEC, "--cluster", "lumi", "--out", installed], work);
    run(
      process.execPath,
      [join(CLI_DIR, "bin", "neoxctl.js"), "plan", SPEC, "--cluster", "lumi", "--out", checkout],
      REPO
    );
    const files = readdirSync(checkout, { recursive: true, encoding: "utf8" }).sort();
    expect(files).toContain("job.sbatch");
    expect(readdirSync(installed, { recursive: true, encoding: "utf8" }).sort()).toEqual(files);
    for (const f of files.filter((x) => x.includes(".")))
      expect(readFileSync(join(installed, f), "utf8"), f).toBe(readFileSync(join(checkout, f), "utf8"));
  });
});

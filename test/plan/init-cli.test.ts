import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
const CLI = join(REPO, "packages/cli/bin/neoxctl.js");
const TEMPLATES = readdirSync(join(REPO, "templates/specs"));

function neoxctl(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("node", [CLI, ...args], { cwd: REPO, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("neoxctl init", () => {
  it("lists every template with the values it takes (--json)", () => {
    const r = neoxctl(["init", "--list", "--json"]);
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; cluster: string; values: Record<string, unknown> }[];
    expect(list.map((t) => t.name).sort()).toEqual([...TEMPLATES].sort());
    expect(list.find((t) => t.name === "llama3-8b-lumi")?.values).toHaveProperty("account");
  });

  it.each(TEMPLATES)("scaffolds %s into a spec that `neoxctl plan` accepts", (template) => {
    const out = mkdtempSync(join(tmpdir(), "neoxctl-init-"));
    const r = neoxctl([
      "init",
      template,
      "--out",
      out,
      "--name",
      "scaffolded",
      "--json",
      "--account",
      "project_465000123"
    ]);
    // templates without an account value refuse --account: try again without it
    const result =
      r.status === 2 && r.stdout.includes("--account")
        ? neoxctl(["init", template, "--out", out, "--name", "scaffolded", "--json"])
        : r;
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const files = (JSON.parse(result.stdout) as { files: string[] }).files;
    expect(files[0]).toBe(join(out, "spec.yaml"));
    const spec = readFileSync(join(out, "spec.yaml"), "utf8");
    expect(spec).not.toMatch(/\{\{/);
    expect(spec).toMatch(/^name: scaffolded$/m);

    const plan = neoxctl(["plan", join(out, "spec.yaml"), "--out", join(out, "plan"), "--json"]);
    expect(plan.status, plan.stdout + plan.stderr).toBe(0);
    expect((JSON.parse(plan.stdout) as { run: { name: string } }).run.name).toBe("scaffolded");
  });

  it("refuses a relative root, an unknown template and a value the template does not take, writing nothing", () => {
    const out = mkdtempSync(join(tmpdir(), "neoxctl-init-"));
    const rel = neoxctl(["init", "local-demo", "--out", out, "--root", "../data"]);
    expect(rel.status).toBe(2);
    expect(rel.stderr).toContain("--root: ../data must be an absolute, normalised path");
    const opt = neoxctl(["init", "local-demo", "--out", out, "--root", "/tmp/../etc"]);
    expect(opt.status).toBe(2);
    const unknown = neoxctl(["init", "pythia-nope", "--out", out]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("local-demo");
    const extra = neoxctl(["init", "local-demo", "--out", out, "--account", "p"]);
    expect(extra.status).toBe(2);
    expect(readdirSync(out)).toEqual([]);
  });

  it("asks for a value the template needs and never overwrites without --force", () => {
    const out = mkdtempSync(join(tmpdir(), "neoxctl-init-"));
    const needs = neoxctl(["init", "llama3-8b-lumi", "--out", out]);
    expect(needs.status).toBe(2);
    expect(needs.stderr).toContain("--account: (not given) is needed");
    writeFileSync(join(out, "spec.yaml"), "mine\n");
    const kept = neoxctl(["init", "local-demo", "--out", out]);
    expect(kept.status).toBe(2);
    expect(readFileSync(join(out, "spec.yaml"), "utf8")).toBe("mine\n");
    expect(neoxctl(["init", "local-demo", "--out", out, "--force"]).status).toBe(0);
    expect(readFileSync(join(out, "spec.yaml"), "utf8")).toMatch(/^name: local-demo$/m);
  });
});

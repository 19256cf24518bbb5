import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { specJsonSchemas } from "@neoxctl/core";

const REPO = resolve(import.meta.dirname, "../..");
const CLI = join(REPO, "packages/cli/bin/neoxctl.js");

function neoxctl(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("node", [CLI, ...args], { cwd: REPO, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Loads the emitted configs the way NeoX does (PyYAML FullLoader, hyphens → underscores, files merged,
// duplicates refused) and checks every key and Python type against the NeoX key table.
const PY_CHECK = String.raw`
import json, sys, yaml
keys = json.load(open(sys.argv[1]))["keys"]
merged = {}
for path in sys.argv[2:]:
    with open(path) as f:
        conf = yaml.load(f, Loader=yaml.FullLoader)
    for k, v in conf.items():
        k = k.replace("-", "_")
        assert k not in merged, "duplicate key " + k
        merged[k] = v
problems = []
for k, v in merged.items():
    if k not in keys:
        problems.append("unknown " + k); continue
    t = keys[k]["type"]
    ok = {"int": lambda: type(v) is int, "float": lambda: type(v) in (int, float), "bool": lambda: type(v) is bool,
          "str": lambda: type(v) is str, "dict": lambda: type(v) is dict, "list": lambda: type(v) is list}.get(t, lambda: True)()
    if not ok: problems.append(k + " has " + type(v).__name__ + " for " + t)
print(json.dumps({"problems": problems, "lr": merged["optimizer"]["params"]["lr"], "lr_type": type(merged["optimizer"]["params"]["lr"]).__name__,
  "tbs": merged["train_batch_size"], "mbs": merged["train_micro_batch_size_per_gpu"], "gas": merged["gradient_accumulation_steps"],
  "mp": merged["model_parallel_size"], "iters": merged["train_iters"], "seq": merged["seq_length"], "finetune": merged["finetune"],
  "paths": len(merged["train_data_paths"]), "weights": merged["train_data_weights"][:3], "min_lr_type": type(merged["min_lr"]).__name__}))
`;

describe("neoxctl plan (end to end)", () => {
  it("plans the EMMA-500 run into configs PyYAML and NeoX's key table accept", () => {
    const out = mkdtempSync(join(tmpdir(), "neoxctl-plan-"));
    const r = neoxctl(["plan", "examples/emma500-llama3-8b.yaml", "--cluster", "lumi", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("512 GCDs = 64 nodes × 8");
    expect(r.stdout).toContain("micro 1 × grad-accum 8 × dp 256 = 2048 sequences");
    expect(r.stdout).toContain("= 671,088,640,000 (671.1B)");

    const configs = ["model", "train", "data", "attempt"].map((f) => join(out, "neox", `${f}.yml`));
    const report = JSON.parse(
      execFileSync(
        "python3",
        ["-c", PY_CHECK, join(REPO, "packages/core/src/neox/neox-keys.json"), ...configs],
        { encoding: "utf8" }
      )
    ) as Record<string, unknown>;
    expect(report["problems"]).toEqual([]);
    expect(report["lr"]).toBe(0.0001);
    expect(report["lr_type"]).toBe("float");
    expect(report["min_lr_type"]).toBe("float");
    const gcds = 512;
    const dp = gcds / (report["mp"] as number);
    expect(report["tbs"]).toBe((report["mbs"] as number) * (report["gas"] as number) * dp);
    expect((report["tbs"] as number) * (report["seq"] as number) * (report["iters"] as number)).toBe(
      671_088_640_000
    );
    expect(report["finetune"]).toBe(true);
    expect(report["paths"]).toBeLessThanOrEqual(254);

    const sbatch = readFileSync(join(out, "job.sbatch"), "utf8");
    expect(sbatch).toContain("#SBATCH --nodes=64\n");
    const syntax = spawnSync("bash", ["-n", join(out, "job.sbatch")]);
    expect(syntax.status).toBe(0);
  });

  it("prints plan.json with --json", () => {
    const out = mkdtempSync(join(tmpdir(), "neoxctl-plan-"));
    const r = neoxctl(["plan", "examples/local-demo.yaml", "--cluster", "local", "--out", out, "--json"]);
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      layout: { nodes: number };
      attempt: { logPath: string };
      run: { runDir: string };
    };
    expect(plan.layout.nodes).toBe(2);
    expect(plan.attempt.logPath).toBe("logs/attempt-1.out");
    expect(plan.run.runDir).toBe(out);
    expect(existsSync(join(out, "logs"))).toBe(true);
  });

  it("exits 2, writes nothing and lists every problem for an inconsistent spec", () => {
    const dir = mkdtempSync(join(tmpdir(), "neoxctl-bad-"));
    const spec = readFileSync(join(REPO, "examples/emma500-llama3-8b.yaml"), "utf8")
      .replace(
        "manifest: data/emma500-manifest.yaml",
        `manifest: ${join(REPO, "examples/data/emma500-manifest.yaml")}`
      )
      .replace("global_batch: {sequences: 2048}", "global_batch: {sequences: 2000}")
      .replace("micro_batch: 1", "micro_batch: 2");
    writeFileSync(join(dir, "spec.yaml"), spec);
    const out = join(dir, "out");
    const r = neoxctl(["plan", join(dir, "spec.yaml"), "--cluster", "lumi", "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("training.global_batch: 2000 is not a multiple of micro_batch × dp = 512");
    expect(existsSync(out)).toBe(false);
  });

  it("lists every schema problem with its path, value and line", () => {
    const dir = mkdtempSync(join(tmpdir(), "neoxctl-bad-"));
    const spec = readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8")
      .replace("size: {nodes: 2}", "size: {gpus: 16}")
      .replace("lr: 0.0001", "lr: 1e-4x")
      .replace("precision: bf16", "precision: bfloat16");
    writeFileSync(join(dir, "spec.yaml"), spec);
    const r = neoxctl(["plan", join(dir, "spec.yaml"), "--out", join(dir, "out")]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toContain("3 problems");
    expect(r.stderr).toMatch(/^cluster\.size\.gpus: 16 is ambiguous: .* \(line \d+, column \d+\)$/m);
    expect(r.stderr).toMatch(
      /^training\.lr: "1e-4x" invalid input: expected number, received string \(line \d+/m
    );
    expect(r.stderr).toMatch(/^precision: "bfloat16" invalid option/m);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("reports YAML syntax errors with line and column", () => {
    const dir = mkdtempSync(join(tmpdir(), "neoxctl-bad-"));
    writeFileSync(join(dir, "spec.yaml"), "name: x\nmodel: {preset: llama3-8b\ntraining:\n  lr: 1\n");
    const r = neoxctl(["plan", join(dir, "spec.yaml"), "--out", join(dir, "out"), "--json"]);
    expect(r.status).toBe(2);
    const err = JSON.parse(r.stdout) as {
      error: { code: string; details: { issues: { line: number; column: number }[] } };
    };
    expect(err.error.code).toBe("SPEC_YAML");
    expect(err.error.details.issues[0]!.line).toBeGreaterThan(1);
    expect(err.error.details.issues[0]!.column).toBeGreaterThan(0);
  });

  it("keeps the committed JSON Schemas up to date (regenerate with `neoxctl schema`)", () => {
    for (const [name, text] of Object.entries(specJsonSchemas())) {
      expect(readFileSync(join(REPO, "schemas", name), "utf8"), name).toBe(text);
    }
  });
});

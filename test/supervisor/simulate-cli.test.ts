import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function neoxctl(args: string[]): { stdout: string; stderr: string; status: number } {
  try {
    const stdout = execFileSync(
      process.execPath,
      ["--import", "tsx", resolve(ROOT, "packages/cli/src/main.ts"), ...args],
      { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }
    );
    return { stdout, stderr: "", status: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; status: number };
    return { stdout: err.stdout, stderr: err.stderr, status: err.status };
  }
}

describe("neoxctl simulate", () => {
  it("reports effective training time for neoxctl and both baselines on the EMMA-500 spec", () => {
    const { stdout, status } = neoxctl(["simulate", "examples/emma500-llama3-8b.yaml", "--seeds", "10"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^neoxctl\s+\d+\.\d%/m);
    expect(stdout).toMatch(/^human on call\s+\d+\.\d%/m);
    expect(stdout).toMatch(/^Slurm requeue alone\s+\d+\.\d%/m);
    expect(stdout).toMatch(/← recommended/);
  });

  it("--json carries every policy's distribution over the seeds; a bad flag exits 2 naming it", () => {
    const { stdout, status } = neoxctl([
      "simulate",
      "examples/emma500-llama3-8b.yaml",
      "--seeds",
      "5",
      "--intervals",
      "250,500",
      "--json"
    ]);
    expect(status).toBe(0);
    const r = JSON.parse(stdout) as { seeds: number; policies: { policy: string; ett: { mean: number } }[] };
    expect(r.seeds).toBe(5);
    expect(r.policies.map((p) => p.policy)).toEqual(["neoxctl", "human", "slurm"]);
    for (const p of r.policies) expect(p.ett.mean).toBeGreaterThan(0);
    const bad = neoxctl(["simulate", "examples/emma500-llama3-8b.yaml", "--node-mtbf-h", "-3"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--node-mtbf-h/);
  });

  it("--spare-nodes: node failures restart inside the job, the spares' GPU-hours are reported; a bad count exits 2", () => {
    const { stdout, status } = neoxctl([
      "simulate",
      "examples/emma500-llama3-8b.yaml",
      "--seeds",
      "10",
      "--intervals",
      "500",
      "--spare-nodes",
      "1"
    ]);
    expect(status).toBe(0);
    expect(stdout).toMatch(
      /^neoxctl with 1 spare node per job: \d+\.\d node failures per run handled in the job \(no queue wait\); GPU-hours held \d+, of which the spares' \d+ \(1\.5%, billed while idle\)$/m
    );
    const without = neoxctl([
      "simulate",
      "examples/emma500-llama3-8b.yaml",
      "--seeds",
      "2",
      "--intervals",
      "500"
    ]);
    expect(without.stdout).not.toMatch(/spare node/);
    for (const n of ["-1", "0.5"]) {
      const bad = neoxctl(["simulate", "examples/emma500-llama3-8b.yaml", "--spare-nodes", n]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/--spare-nodes/);
    }
  });
});

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CanaryReport } from "@neoxctl/plan";
import { REPO, runCli, smokeFixture } from "./smoke.test-support.ts";

// `neoxctl smoke` on the local cluster: the canary of a local-demo run (2 nodes × 2 ranks, the
// container stand-in, the per-rank emulator), judged from the job's own log. The emulator's step
// time is set inside the plan's band (or pushed out of it), since it has no GPU to be slow on.
const IMAGE = "/var/lib/neoxctl-testcluster/image/neox-local.img";

function stepMs(expected: { fast: number; slow: number }): string {
  return String(Math.round(((expected.fast + expected.slow) / 2) * 1000));
}

function report(stdout: string): CanaryReport {
  return JSON.parse(stdout) as CanaryReport;
}

describe.skipIf(!existsSync(IMAGE))("neoxctl smoke on the local cluster", () => {
  it("go: started, saved and loaded its own checkpoint, step time on plan; quiet with --json", async () => {
    const f = smokeFixture("smokego");
    const r = await runCli(
      ["smoke", f.specPath, "--cluster", "local", "--steps", "3", "--out", join(f.root, "runs"), "--json"],
      { NEOX_EMU_STEP_MS: stepMs(f.expected) }
    );
    expect(r.stderr).toBe("");
    const rep = report(r.stdout);
    expect(rep.verdict).toBe("go");
    expect(r.status).toBe(0);
    expect(rep.checks.started.status).toBe("pass");
    expect(rep.checks.checkpoint.status).toBe("pass");
    expect(rep.checks.checkpoint.detail).toContain("saved global_step3");
    expect(rep.checks.checkpoint.detail).toContain("trained step 4");
    expect(rep.checks.stepTime.status).toBe("pass");
    // the local profile expects no particular transport: RCCL's choice is reported (the emulator,
    // without a plugin library, chooses sockets as RCCL does)
    expect(rep.checks.rccl).toEqual({
      status: "pass",
      detail: "RCCL uses Socket; the profile expects no particular transport"
    });
    expect(rep.nodes).toHaveLength(2);
    // the canary's save is beside the run's checkpoints, the run's own directory untouched
    const canaryDir = join(f.root, "checkpoints/local-demo-canary", rep.runId, "checkpoints");
    expect(readdirSync(canaryDir).sort()).toEqual(["global_step3", "global_step4", "latest"]);
    expect(existsSync(join(f.root, "checkpoints/local-demo"))).toBe(false);
  }, 300_000);

  it("shows progress on stderr: queued/running, the nodes, each step", async () => {
    const f = smokeFixture("smokeprog");
    const r = await runCli(
      ["smoke", f.specPath, "--cluster", "local", "--steps", "2", "--out", join(f.root, "runs")],
      {
        NEOX_EMU_STEP_MS: stepMs(f.expected)
      }
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /^submitted canary smokeprog-smoke-[0-9a-f]{6} as job \d+ \(2 nodes, standard-g\)$/m
    );
    expect(r.stderr).toMatch(/^running on nid00\d,nid00\d$/m);
    expect(r.stderr).toMatch(/^step 3\/3$/m);
    expect(r.stdout).toMatch(/^canary smokeprog-smoke-[0-9a-f]{6} \(job \d+\): GO$/m);
  }, 300_000);

  it("no-go: the init checkpoint is missing, the pre-flight's line is the evidence", async () => {
    const f = smokeFixture("smokenoinit", { withInit: false });
    const r = await runCli(
      ["smoke", f.specPath, "--cluster", "local", "--steps", "3", "--out", join(f.root, "runs"), "--json"],
      { NEOX_EMU_STEP_MS: stepMs(f.expected) }
    );
    expect(r.status).toBe(3);
    const rep = report(r.stdout);
    expect(rep.verdict).toBe("no-go");
    expect(rep.checks.started.detail).toBe(
      `pre-flight failed before any rank started: neoxctl-preflight: FAIL checkpoint: ${f.root}/init/llama3-8b-neox/latest`
    );
    expect(rep.checks.checkpoint.status).toBe("fail");
  }, 300_000);

  it("no-go: a rank dies, and the report keeps its error line", async () => {
    const f = smokeFixture("smokedeath");
    const r = await runCli(
      ["smoke", f.specPath, "--cluster", "local", "--steps", "3", "--out", join(f.root, "runs"), "--json"],
      { NEOX_EMU_STEP_MS: stepMs(f.expected), NEOX_EMU_RANK_DEATH: "3:300" }
    );
    expect(r.status).toBe(3);
    const rep = report(r.stdout);
    expect(rep.checks.started.status).toBe("fail");
    expect(rep.checks.started.detail).toContain("no training step logged (job FAILED");
    expect(rep.reasons.join("\n")).toContain("NCCL communicator was aborted on rank 3");
  }, 300_000);

  it("no-go: steps far slower than the plan, with the figures", async () => {
    const f = smokeFixture("smokeslow");
    const base = Number(stepMs(f.expected));
    const r = await runCli(
      ["smoke", f.specPath, "--cluster", "local", "--steps", "3", "--out", join(f.root, "runs"), "--json"],
      // from step 2 on, 3× the band's middle: beyond 1.5× its slow end
      { NEOX_EMU_STEP_MS: String(base), NEOX_EMU_SLOW_FROM: "2:3" }
    );
    expect(r.status).toBe(3);
    const rep = report(r.stdout);
    expect(rep.checks.started.status).toBe("pass");
    expect(rep.checks.checkpoint.status).toBe("pass");
    expect(rep.checks.stepTime.status).toBe("fail");
    expect(rep.checks.stepTime.detail).toMatch(
      /^too slow: \d+\.\d\d s per step against the plan's \d\.\d\d–\d\.\d\d s/
    );
    expect(rep.stepTime.measured).toBeGreaterThan(rep.stepTime.expected!.slow * 1.5);
  }, 300_000);

  it("no-go: RCCL on sockets where the profile expects the OFI plugin, with RCCL's line", async () => {
    const f = smokeFixture("smokerccl");
    const profile = join(f.root, "local-ofi.yaml");
    writeFileSync(
      profile,
      readFileSync(join(REPO, "clusters/local.yaml"), "utf8").replace(
        "expected_transport: any",
        "expected_transport: ofi"
      )
    );
    const r = await runCli(
      ["smoke", f.specPath, "--cluster", profile, "--steps", "2", "--out", join(f.root, "runs"), "--json"],
      { NEOX_EMU_STEP_MS: stepMs(f.expected) }
    );
    expect(r.status).toBe(3);
    const rep = report(r.stdout);
    expect(rep.checks.rccl.status).toBe("fail");
    expect(rep.checks.rccl.detail).toMatch(
      /^RCCL uses Socket on nid00\d,nid00\d, the profile expects ofi; .*NCCL INFO/
    );
    // everything else went well: the transport alone makes it no-go
    expect(rep.checks.checkpoint.status).toBe("pass");
    expect(rep.reasons).toHaveLength(1);
  }, 300_000);

  it("submit --smoke: on no-go prints the report, submits nothing and exits 3", async () => {
    const f = smokeFixture("smokesubmit", { withInit: false });
    const r = await runCli(
      [
        "submit",
        f.specPath,
        "--cluster",
        "local",
        "--smoke",
        "--smoke-steps",
        "2",
        "--smoke-out",
        join(f.root, "runs")
      ],
      { NEOX_EMU_STEP_MS: stepMs(f.expected) }
    );
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^canary smokesubmit-smoke-[0-9a-f]{6} \(job \d+\): NO-GO/m);
    expect(r.stdout).toContain("neoxctl-preflight: FAIL checkpoint");
    // only the canary's directory was written: no run directory for the real run
    expect(readdirSync(join(f.root, "runs")).every((d) => d.startsWith("smokesubmit-smoke-"))).toBe(true);
    expect(
      existsSync(join(process.cwd(), "runs")) &&
        readdirSync(join(process.cwd(), "runs")).some((d) => d.startsWith("smokesubmit-"))
    ).toBe(false);
  }, 300_000);
});

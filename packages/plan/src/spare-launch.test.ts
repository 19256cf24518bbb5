import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError } from "@neoxctl/core";
import { planRun } from "./plan-run.ts";
import { renderAttempt } from "./render-attempt.ts";
import { emmaInput, localInput } from "./fixtures.test-support.ts";
import { renderSummary } from "./summary.ts";
import type { Attempt } from "./types.ts";

const withSpares = (n: number, restarts = 2) =>
  localInput((y) =>
    y.replace(/^cluster:/m, `resilience:\n  spare_nodes: ${n}\n  max_in_job_restarts: ${restarts}\ncluster:`)
  );
const first: Attempt = { index: 1, runId: "local-demo", load: { kind: "init" }, excludeNodes: [] };

function render(n: number, attempt: Attempt = first, restarts = 2): Record<string, string> {
  return renderAttempt(planRun(withSpares(n, restarts)), attempt).files;
}

describe("spare nodes in the batch script", () => {
  it("leaves every file as it was without spares", () => {
    expect(render(0)).toEqual(renderAttempt(planRun(localInput()), first).files);
    expect(render(0)["job.sbatch"]).not.toContain("--no-kill");
    expect(render(0)["neox/restart.yml"]).toBeUndefined();
  });

  it("asks for N + spares with --no-kill and launches on exactly N nodes, keeping every srun option", () => {
    const s = render(1)["job.sbatch"]!;
    expect(s).toContain("#SBATCH --nodes=3\n");
    expect(s).toContain("#SBATCH --no-kill\n");
    const srun = s.split("\n").find((l) => l.trim().startsWith("if srun "))!;
    expect(srun).toContain(
      'srun --kill-on-bad-exit=1 --nodes=2 --ntasks=4 --nodelist="${NEOXCTL_NODES}" --ntasks-per-node=2 --cpus-per-task=1 '
    );
    expect(srun).toContain('launch/rank.sh train "${NEOXCTL_ARGV}"');
    // the pre-flight still runs before any rank
    expect(s.indexOf("echo 'neoxctl-preflight: OK'")).toBeLessThan(s.indexOf("if srun "));
    expect(s).toContain(
      "neoxctl-restart: in-job restart ${neoxctl_restarts}/2 on ${NEOXCTL_NODES} without ${lost}"
    );
  });

  it("is a valid bash script", () => {
    const r = spawnSync("bash", ["-n"], { input: render(2)["job.sbatch"]!, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("restarts from the save directory with the attempt's own settings, never the init checkpoint", () => {
    const files = render(1, {
      index: 4,
      runId: "local-demo",
      load: { kind: "resume", iteration: 40 },
      lr: 0.00005,
      exitInterval: 180,
      excludeNodes: ["nid004"]
    });
    const restart = files["neox/restart.yml"]!;
    expect(restart).toContain('"load": "/tmp/neoxctl-demo/checkpoints/local-demo"');
    expect(restart).toContain('"finetune": false');
    // the script moves the planned exit: a restart costs time the plan did not count
    expect(restart).not.toContain('"exit_interval"');
    expect(restart).toContain('"override_lr_scheduler": true');
    // the script names the iteration; NeoX refuses a key given in two files
    expect(restart).not.toContain('"iteration"');
    const s = files["job.sbatch"]!;
    expect(s).toContain(
      '"${RUN_DIR}"/neox/model.yml "${RUN_DIR}"/neox/train.yml "${RUN_DIR}"/neox/data.yml "${RUN_DIR}"/neox/restart.yml "${ITERATION_CONFIG}"'
    );
    expect(s).toContain("#SBATCH --exclude=nid004\n");
    expect(s).toContain(
      `printf 'exit_interval: %s\\n' "$(neoxctl_exit_after "\${step}")" >> "\${ITERATION_CONFIG}"`
    );
  });

  it("moves the planned exit earlier by the steps since the checkpoint, at the job's own pace", () => {
    const s = render(1, {
      index: 4,
      runId: "local-demo",
      load: { kind: "resume", iteration: 40 },
      exitInterval: 180,
      excludeNodes: []
    })["job.sbatch"]!;
    const fn = /^neoxctl_exit_after\(\) \{\n[\s\S]*?^\}$/m.exec(s)![0];
    const dir = mkdtempSync(join(tmpdir(), "neoxctl-exit-"));
    const exitAfter = (k: number, startedAgo: number, savedAgo: number): string => {
      mkdirSync(join(dir, `global_step${k}`), { recursive: true });
      const now = Math.floor(Date.now() / 1000);
      const script = [
        `NEOXCTL_STARTED=${dir}/started NEOXCTL_SAVE=${dir}`,
        fn,
        `touch -d @${now - startedAgo} ${dir}/started`,
        `touch -d @${now - savedAgo} ${dir}/global_step${k}`,
        // the function's clock is pinned to the test's: a second boundary crossed on a busy machine
        // between the two readings would move the answer by a step
        `date() { printf '%s\\n' ${now}; }`,
        `neoxctl_exit_after ${k}`
      ].join("\n");
      return spawnSync("bash", ["-c", script], { encoding: "utf8" }).stdout;
    };
    try {
      // 80 steps (40 → 120) in the job's first 80 s: 1 step/s; 20 s since the save: 20 steps earlier
      expect(exitAfter(120, 100, 20)).toBe("160");
      // no time left for the planned stretch: the next checkpoint step, as the supervisor's exit plan
      expect(exitAfter(170, 140, 100)).toBe("180");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses spares the partition cannot hold and the deepy_host launch", () => {
    const refusal = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return e instanceof SpecError ? JSON.stringify(e.issues) : String(e);
      }
      return "accepted";
    };
    expect(refusal(() => planRun(withSpares(3)))).toMatch(/spare_nodes.*limit of 4 nodes/);
    expect(refusal(() => planRun(withSpares(2)))).toBe("accepted");
    const deepy = withSpares(1);
    const profile = {
      ...deepy.profile,
      container: { kind: "none" as const },
      launch: { mode: "deepy_host" as const },
      launcher: { kind: "deepy" as const, neox_dir: "/opt/neox", python: "python3" }
    };
    expect(refusal(() => planRun({ ...deepy, profile }))).toMatch(/spare nodes need launch.mode per_rank/);
  });
});

describe("spare nodes in the plan's summary and estimates", () => {
  const spareEmma = () =>
    planRun(emmaInput((y) => y.replace(/^resilience:\n/m, "resilience:\n  spare_nodes: 1\n")));
  it("counts the spare's hours as billed and says so", () => {
    const base = planRun(emmaInput());
    const spare = spareEmma();
    const [b, s] = [base.estimates.timing!, spare.estimates.timing!];
    // 65 nodes held instead of 64: every hour and billing unit grows by 65/64
    expect(s.nodeHours.fast / b.nodeHours.fast).toBeCloseTo(65 / 64, 9);
    expect(s.deviceHours.slow / b.deviceHours.slow).toBeCloseTo(65 / 64, 9);
    expect(s.billing!.units.fast / b.billing!.units.fast).toBeCloseTo(65 / 64, 9);
    // the training itself is unchanged
    expect(s.stepS).toEqual(b.stepS);
    const summary = renderSummary(spare);
    expect(summary).toContain(
      "  GPUs        512 GCDs = 64 nodes × 8 + 1 spare node (--no-kill: allocated and billed, train only after a node fails; up to 2 in-job restarts per job)"
    );
    expect(summary).toMatch(
      /GPU-hours .*; includes 1 spare node held all the time: [\d,]+–[\d,]+ node-hours \(1\.5%\)/
    );
    expect(renderSummary(base)).not.toContain("spare");
  });
});

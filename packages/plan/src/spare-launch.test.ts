import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** A shell function of the rendered script, as written. */
function shellFn(script: string, name: string): string {
  const m = new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, "m").exec(script);
  if (!m) throw new Error(`no function ${name} in the script`);
  return m[0];
}

/**
 * Slurm's commands as the script calls them, answering from a fixed state: squeue lists the job's
 * nodes (or fails when SQUEUE_FAILS is set), sinfo gives every node idle, scontrol sorts a list by
 * its numbers as Slurm's hostlist does and reads SLURMD_TIMEOUT_LINE as its configuration.
 */
const SLURM_STUBS = [
  "sleep() { :; }",
  'squeue() { [ -z "${SQUEUE_FAILS:-}" ] || return 1; printf \'%s\\n\' "${JOB_NODES}"; }',
  // DOWN_NODES: nodes sinfo reports down
  'sinfo() { tr \',\' \'\\n\' <<< "${JOB_NODES}" | awk -v down=",${DOWN_NODES:-}," \'{print $1, (index(down, "," $1 ",") ? "down" : "alloc")}\'; }',
  "scontrol() {",
  '  case "$1 $2" in',
  "    'show hostlistsorted') tr ',' '\\n' <<< \"$3\" | sort -V | paste -sd, - ;;",
  "    'show hostnames') tr ',' '\\n' <<< \"$3\" ;;",
  "    'show config') [ -n \"${SLURMD_TIMEOUT_LINE:-}\" ] && printf '%s\\n' \"${SLURMD_TIMEOUT_LINE}\" ;;",
  "  esac",
  "}"
].join("\n");

function bash(script: string, env: Record<string, string> = {}) {
  const r = spawnSync("bash", ["--norc", "-c", `set -euo pipefail\n${script}`], {
    encoding: "utf8",
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", SLURM_JOB_ID: "7", ...env }
  });
  return { out: r.stdout, err: r.stderr, status: r.status };
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
      'if exit_at="$(neoxctl_exit_after "${step}")" && [ -n "${exit_at}" ]; then NEOXCTL_EXIT_AT="${exit_at}"; fi'
    );
    expect(s).toContain(`printf 'exit_interval: %s\\n' "\${NEOXCTL_EXIT_AT}" >> "\${ITERATION_CONFIG}"`);
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
    const exitAfter = (k: number, startedAgo: number, savedAgo: number, inForce?: number): string => {
      mkdirSync(join(dir, `global_step${k}`, "configs"), { recursive: true });
      writeFileSync(join(dir, `global_step${k}`, "configs", "train.yml"), "x");
      const now = Math.floor(Date.now() / 1000);
      const script = [
        `NEOXCTL_STARTED=${dir}/started NEOXCTL_SAVE=${dir}`,
        /^NEOXCTL_EXIT_AT=\d+$/m.exec(s)![0],
        // an exit a first restart already moved
        ...(inForce !== undefined ? [`NEOXCTL_EXIT_AT=${inForce}`] : []),
        fn,
        `touch -d @${now - startedAgo} ${dir}/started`,
        // the save's end is its configs/ files' time, not the step directory's (older after a rollback)
        `touch -d @${now - savedAgo} ${dir}/global_step${k}/configs/train.yml`,
        `touch -d @${now - 1000} ${dir}/global_step${k}`,
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
      // a second restart moves the exit the first one moved (160), not the planned 180
      expect(exitAfter(120, 100, 20, 160)).toBe("140");
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

describe("the spare-node loop's shell functions", () => {
  const script = (attempt: Attempt = first): string => render(1, attempt)["job.sbatch"]!;
  const fns = (s: string, ...names: string[]): string => names.map((n) => shellFn(s, n)).join("\n");
  const picking = (s: string): string =>
    [SLURM_STUBS, fns(s, "neoxctl_usable", "neoxctl_pick", "neoxctl_pick_within", "neoxctl_use")].join("\n");

  it("puts rank 0's node first: srun sorts --nodelist, so MASTER_ADDR is the lowest node, not the batch node's place", () => {
    const dir = mkdtempSync(join(tmpdir(), "neoxctl-pick-"));
    try {
      // the batch script runs on nid001; nid002 was lost, so the spare nid003 and the batch node train
      const r = bash(
        `${picking(script())}\nHOSTFILE=${dir}/hostfile NEOXCTL_PORT=29500 neoxctl_restarts=1\n` +
          'nodes="$(neoxctl_pick)"; neoxctl_use "${nodes}"; echo "${nodes} ${MASTER_ADDR}:${MASTER_PORT}"',
        { JOB_NODES: "nid001,nid003", SLURMD_NODENAME: "nid001" }
      );
      expect(r.err).toBe("");
      expect(r.out).toBe("nid001,nid003 nid001:29501\n");
      expect(readFileSync(join(dir, "hostfile"), "utf8")).toBe("nid001 slots=8\nnid003 slots=8\n");
      // with all three usable the batch node is still the one left out
      const all = bash(`${picking(script())}\nneoxctl_pick`, {
        JOB_NODES: "nid003,nid002,nid001",
        SLURMD_NODENAME: "nid002"
      });
      expect(all.out).toBe("nid001,nid003\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a failed squeue as unknown: no node lost, no pick, and at start no pre-flight failure line", () => {
    const s = script();
    const lost = bash(
      `${SLURM_STUBS}\n${fns(s, "neoxctl_usable", "neoxctl_lost")}\n` +
        'if l="$(neoxctl_lost nid001,nid002)"; then echo "lost=${l}"; else echo "unknown=${l}"; fi',
      { SQUEUE_FAILS: "1", JOB_NODES: "nid001,nid002" }
    );
    expect(lost.out).toBe("unknown=\n");
    // a node Slurm reports down is lost; with squeue answering, the rest are not
    expect(
      bash(`${SLURM_STUBS}\n${fns(s, "neoxctl_usable", "neoxctl_lost")}\nneoxctl_lost nid001,nid002`, {
        JOB_NODES: "nid001,nid002,nid003",
        DOWN_NODES: "nid002"
      }).out
    ).toBe("nid002\n");
    // the job's first pick: squeue never answers
    const start =
      /^if ! NEOXCTL_NODES="\$\(neoxctl_pick_within [\s\S]*?^neoxctl_use "\$\{NEOXCTL_NODES\}"$/m.exec(s)![0];
    const r = bash(
      `${picking(s)}\n${shellFn(s, "neoxctl_fail")}\nHOSTFILE=/dev/null NEOXCTL_PORT=29500 neoxctl_restarts=0\n${start}\necho started`,
      { SQUEUE_FAILS: "1", JOB_NODES: "nid001,nid002,nid003" }
    );
    expect(r.out).toBe("neoxctl-restart: squeue did not list the nodes of job 7; ending the job\n");
    expect(r.status).toBe(75);
  });

  it("resumes from the newest step whose configs/ this job wrote, each file non-empty", () => {
    const s = script();
    const dir = mkdtempSync(join(tmpdir(), "neoxctl-saved-"));
    const now = Math.floor(Date.now() / 1000);
    const step = (k: number, filesAgo: number, emptyShard = false): string[] => {
      const d = join(dir, `global_step${k}`);
      mkdirSync(join(d, "configs"), { recursive: true });
      const files = [
        ...[0, 1].map((r) => `mp_rank_0${r}_model_states.pt`),
        ...Array.from(
          { length: 16 },
          (_, i) => `bf16_zero_pp_rank_${i >> 1}_mp_rank_0${i & 1}_optim_states.pt`
        ),
        "configs/train.yml"
      ];
      files.forEach((f, i) => writeFileSync(join(d, f), emptyShard && i === 5 ? "" : "x"));
      return [
        ...files.map((f) => `touch -d @${now - filesAgo} ${d}/${f}`),
        `touch -d @${now - filesAgo} ${d}/configs`,
        // the directory itself an earlier job made: rewriting files in it does not change its time
        `touch -d @${now - 1000} ${d}`
      ];
    };
    try {
      const r = bash(
        [
          `NEOXCTL_SAVE=${dir} NEOXCTL_STARTED=${dir}/started`,
          fns(s, "neoxctl_saved_complete", "neoxctl_newest_saved"),
          `touch -d @${now - 100} ${dir}/started`,
          // 60: rewritten by this job after a rollback; 80: this job's, cut short; 100: an earlier job's
          ...step(60, 50),
          ...step(80, 20, true),
          ...step(100, 500),
          "neoxctl_newest_saved"
        ].join("\n")
      );
      expect(r.err).toBe("");
      expect(r.out).toBe("60");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("waits SlurmdTimeout and a margin for a lost node, 300 s when scontrol does not say", () => {
    const s = script();
    const grace = s
      .split("\n")
      .filter((l) => /^(\[\[ "\$\{)?NEOXCTL_GRACE_S/.test(l))
      .join("\n");
    expect(grace.split("\n")).toHaveLength(3);
    const g = (line?: string) =>
      bash(`${SLURM_STUBS}\n${grace}\necho "\${NEOXCTL_GRACE_S}"`, line ? { SLURMD_TIMEOUT_LINE: line } : {})
        .out;
    expect(g("SlurmdTimeout           = 10 sec")).toBe("70\n");
    expect(g()).toBe("360\n");
    expect(s).toContain("for ((waited = 0; waited < NEOXCTL_GRACE_S && ${#lost} == 0; waited += 5)); do");
  });
});

describe("the spare-node loop", () => {
  const attempt: Attempt = {
    index: 4,
    runId: "local-demo",
    load: { kind: "resume", iteration: 40 },
    exitInterval: 180,
    excludeNodes: []
  };

  /**
   * The loop of the rendered script with srun, the container and the node and checkpoint queries
   * stubbed: srun fails (a node lost) SRUN_FAILS times, printing where rank 0's rendezvous is; the
   * argument build fails when ARGV_FAILS is set; each restart moves the exit 20 steps earlier.
   */
  function runLoop(env: Record<string, string>) {
    const s = render(1, attempt)["job.sbatch"]!;
    const loop = /^while :; do\n[\s\S]*?^done$/m.exec(s)![0];
    const dir = mkdtempSync(join(tmpdir(), "neoxctl-loop-"));
    try {
      const r = bash(
        [
          `RUN_DIR=${dir} HOSTFILE=${dir}/hostfile NEOXCTL_PORT=29500 neoxctl_restarts=0 NEOXCTL_EXIT_AT=180`,
          `TRAIN_ARGV=${dir}/argv NEOXCTL_ARGV=${dir}/argv NEOXCTL_NODES=nid002,nid003 NEOXCTL_GRACE_S=70`,
          "MASTER_ADDR=nid002 MASTER_PORT=29500",
          `mkdir -p ${dir}/launch; echo 0 > ${dir}/runs`,
          "srun() {",
          `  local n; n=$(($(cat ${dir}/runs) + 1)); echo "\${n}" > ${dir}/runs`,
          '  echo "srun ${MASTER_ADDR}:${MASTER_PORT}"',
          '  [ "${n}" -gt "${SRUN_FAILS}" ] || return 137',
          "}",
          'singularity() { [ -z "${ARGV_FAILS:-}" ] || return 1; }',
          "neoxctl_lost() { echo nid002; }",
          "neoxctl_pick_within() { echo nid001,nid003; }",
          "neoxctl_newest_saved() { echo 60; }",
          "neoxctl_exit_after() { printf '%s' \"$((NEOXCTL_EXIT_AT - 20))\"; }",
          shellFn(s, "neoxctl_use"),
          loop
        ].join("\n"),
        env
      );
      const iteration = (() => {
        try {
          return readFileSync(join(dir, "launch", "iteration.7.yml"), "utf8");
        } catch {
          return "";
        }
      })();
      return { ...r, iteration };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("moves the exit from the one in force at each restart, and takes a new port each time", () => {
    const r = runLoop({ SRUN_FAILS: "2" });
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(r.out.split("\n").filter((l) => l.startsWith("srun "))).toEqual([
      "srun nid002:29500",
      "srun nid001:29501",
      "srun nid001:29502"
    ]);
    expect(r.iteration).toBe("iteration: 60\nexit_interval: 140\n");
  });

  it("ends a restart whose arguments fail to build as a node failure, not as the pre-flight's missing input", () => {
    const r = runLoop({ SRUN_FAILS: "1", ARGV_FAILS: "1" });
    expect(r.out).not.toContain("neoxctl-preflight");
    expect(r.out).toMatch(
      /^neoxctl-restart: node failure on nid002, restart arguments not built: \S+ \(0\/2 in-job restarts\); ending the job$/m
    );
    expect(r.status).toBe(137);
  });
});

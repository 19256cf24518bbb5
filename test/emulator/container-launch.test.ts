import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import { writeConvertedCheckpoint } from "@neoxctl/emulator";
import { dataPrefixes, planRun, renderAttempt } from "@neoxctl/plan";
import type { Plan } from "@neoxctl/plan";
import { EMULATOR_BIN, NEOX_LINE, touchDataFiles } from "./harness.ts";

// The launch on the local cluster's `singularity` (test/cluster/singularity): what fails on LUMI
// fails here the same way, and the per-rank launch the plan writes works.
const REPO = resolve(import.meta.dirname, "../..");
const root = mkdtempSync("/tmp/neoxctl-container-launch-");
const submitted: string[] = [];

function setUp(name: string, edit: (spec: string) => string = (s) => s): { plan: Plan; runDir: string } {
  const specText = edit(
    readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8")
      .replaceAll("/tmp/neoxctl-demo", join(root, name))
      .replace("train_iters: 300", "train_iters: 40")
  );
  const spec = parseRunSpec(specText, "local-demo.yaml");
  const profile = parseClusterProfile(readFileSync(join(REPO, "clusters/local.yaml"), "utf8"), "local.yaml");
  const runDir = join(root, name, "run");
  const plan = planRun({ spec, profile, manifest: spec.data.inline!, repoRoot: REPO, runDir });
  for (const [rel, text] of Object.entries(
    renderAttempt(plan, { index: 1, runId: name, load: { kind: "init" }, excludeNodes: [] }).files
  )) {
    mkdirSync(dirname(join(runDir, rel)), { recursive: true });
    writeFileSync(join(runDir, rel), text);
  }
  writeConvertedCheckpoint(spec.init.checkpoint, 2);
  touchDataFiles(dataPrefixes(plan));
  return { plan, runDir };
}

function sbatch(runDir: string, script: string, env: Record<string, string> = {}): string {
  const id = execFileSync("sbatch", ["--parsable", script], {
    cwd: runDir,
    encoding: "utf8",
    env: { ...process.env, NEOX_EMU_STEP_MS: "20", NEOX_EMU_SAVE_MS: "5", ...env }
  })
    .trim()
    .split(";")[0]!;
  submitted.push(id);
  return id;
}

async function waitGone(jobId: string, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = execFileSync("scontrol", ["show", "job", jobId], { encoding: "utf8" });
    const state = /JobState=(\S+)/.exec(text)?.[1] ?? "UNKNOWN";
    if (!["PENDING", "RUNNING", "CONFIGURING", "COMPLETING"].includes(state)) return state;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms`);
}

afterAll(() => {
  for (const id of submitted) spawnSync("scancel", [id]);
});

const IMAGE = "/var/lib/neoxctl-testcluster/image/neox-local.img";
const haveContainer = existsSync(IMAGE) && spawnSync("singularity", ["version"]).status === 0;

describe.skipIf(!haveContainer)("launching NeoX in a container on the local cluster", () => {
  // The launch neoxctl wrote for LUMI before: deepy.py (here the emulator in its deepy role) inside
  // `singularity exec`. DeeperSpeed's Slurm runner looks for sinfo, which the image does not have.
  it("deepy inside the container fails before any rank starts, as on LUMI", async () => {
    const { runDir } = setUp("old");
    const configs = ["model", "train", "data", "attempt"].map((f) => `"\${RUN_DIR}"/neox/${f}.yml`).join(" ");
    writeFileSync(
      join(runDir, "old.sbatch"),
      [
        "#!/bin/bash",
        "#SBATCH --nodes=2",
        "#SBATCH --ntasks-per-node=2",
        "#SBATCH --output=logs/old.out",
        "set -euo pipefail",
        'RUN_DIR="$(pwd)"',
        `scontrol show hostnames "\${SLURM_JOB_NODELIST}" | awk '{print $1 " slots=8"}' > hostfile`,
        'export DLTS_HOSTFILE="${RUN_DIR}/hostfile"',
        `export SINGULARITY_BIND=/tmp,${REPO}`,
        // on the host the Slurm commands are there; the failure below is the container's
        "command -v sinfo",
        `singularity exec ${IMAGE} node ${EMULATOR_BIN} train.py ${configs}`,
        ""
      ].join("\n")
    );
    expect(await waitGone(sbatch(runDir, "old.sbatch"))).toBe("FAILED");
    const log = readFileSync(join(runDir, "logs/old.out"), "utf8");
    expect(log).toContain("/usr/bin/sinfo\n");
    expect(log).toContain("RuntimeError: launcher 'slurm' not installed.");
    expect(log.split("\n").some((l) => NEOX_LINE.test(l))).toBe(false);
  }, 180_000);

  it("the per-rank launch trains, with only rank 0 writing the log", async () => {
    const { runDir } = setUp("new");
    expect(await waitGone(sbatch(runDir, "job.sbatch"))).toBe("COMPLETED");
    const log = readFileSync(join(runDir, "logs/attempt-1.out"), "utf8");
    expect(log.startsWith("neoxctl-preflight: OK\n")).toBe(true);
    const its = log
      .split("\n")
      .filter((l) => NEOX_LINE.test(l))
      .map((l) => Number(NEOX_LINE.exec(l)!.groups!.it));
    // four ranks (2 nodes × 2), one copy of each training line
    expect(its).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  }, 180_000);

  it("a rank that dies ends the step", async () => {
    const { runDir } = setUp("death");
    const state = await waitGone(
      sbatch(runDir, "job.sbatch", { NEOX_EMU_RANK_DEATH: "3:300", NEOX_EMU_STEP_MS: "200" })
    );
    expect(state).toBe("FAILED");
    const log = readFileSync(join(runDir, "logs/attempt-1.out"), "utf8");
    expect(log).toContain("RuntimeError: NCCL communicator was aborted on rank 3.");
    const its = log.split("\n").filter((l) => NEOX_LINE.test(l));
    // rank 0 was killed long before its 40 steps of 200 ms
    expect(its.length).toBeLessThan(40);
  }, 180_000);
});

describe("the emulator as train.py", () => {
  it("refuses to start without the rank environment, as DeepSpeed does", () => {
    const dir = mkdtempSync(join(root, "norank-"));
    const env = { ...process.env };
    for (const k of ["RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK", "SLURM_PROCID"])
      delete env[k];
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
    const megatron = {
      ...{
        num_layers: 2,
        hidden_size: 64,
        num_attention_heads: 4,
        seq_length: 128,
        max_position_embeddings: 128
      },
      ...{ train_batch_size: 8, train_micro_batch_size_per_gpu: 1, global_num_gpus: 8, train_iters: 10 },
      optimizer: { type: "Adam", params: { lr: 0.0001 } }
    };
    const argv = ["train.py", "--deepspeed_config", b64({}), "--megatron_config", b64(megatron)];
    const r = spawnSync(process.execPath, [EMULATOR_BIN, ...argv], { cwd: dir, env, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("ModuleNotFoundError: No module named 'mpi4py'");
    expect(r.stdout).toBe("");
  });
});

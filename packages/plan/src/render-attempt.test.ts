import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SpecError } from "@neoxctl/core";
import { planRun } from "./plan-run.ts";
import { renderAttempt } from "./render-attempt.ts";
import { renderSummary } from "./summary.ts";
import { renderRun } from "./graph/render-run.ts";
import { emmaInput, localInput } from "./fixtures.test-support.ts";
import type { Attempt } from "./types.ts";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "__golden__");
const first: Attempt = { index: 1, runId: "emma500-llama3-8b", load: { kind: "init" }, excludeNodes: [] };
const emma = planRun(emmaInput());

function expectGolden(name: string, text: string): void {
  const path = join(GOLDEN, name);
  if (process.env["UPDATE_GOLDEN"] === "1") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  expect(existsSync(path), `${name} missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(text).toBe(readFileSync(path, "utf8"));
}

describe("renderAttempt", () => {
  it("matches the golden files for the EMMA-500 example, the job graph's scripts included", () => {
    const run = renderRun(emma, emmaInput().manifest, {});
    for (const [rel, text] of Object.entries(run.files)) {
      if (rel !== "logs/.keep" && rel !== "records/.keep" && !rel.startsWith("steps/tools/"))
        expectGolden(`emma500/${rel}`, text);
    }
    expectGolden("emma500/summary.txt", run.summary);
    expect(run.summary.startsWith(renderSummary(emma))).toBe(true);
  });

  it("is byte-identical across runs", () => {
    expect(renderAttempt(planRun(emmaInput()), first)).toEqual(renderAttempt(emma, first));
  });

  it("writes the LUMI batch script for 64 nodes", () => {
    const sbatch = renderAttempt(emma, first).files["job.sbatch"]!;
    for (const line of [
      "#SBATCH --job-name=neoxctl-emma500-llama3-8b",
      "#SBATCH --comment=neoxctl:run=emma500-llama3-8b;attempt=1",
      "#SBATCH --nodes=64",
      "#SBATCH --ntasks-per-node=8",
      "#SBATCH --cpus-per-task=7",
      "#SBATCH --gpus-per-node=8",
      "#SBATCH --account=project_462000000",
      "#SBATCH --output=logs/attempt-1.out",
      "#SBATCH --chdir=/scratch/project_462000000/emma500/runs/emma500-llama3-8b",
      'export DLTS_HOSTFILE="${HOSTFILE}"',
      "export MASTER_PORT=29500",
      "export NCCL_SOCKET_IFNAME=hsn0,hsn1,hsn2,hsn3"
    ]) {
      expect(sbatch.split("\n")).toContain(line);
    }
    expect(sbatch).toContain(`awk '{print $1 " slots=8"}'`);
    expect(sbatch).toMatch(/^export MASTER_ADDR="\$\(scontrol show hostnames/m);
    expect(sbatch).toMatch(/^export MIOPEN_USER_DB_PATH=\/tmp\//m);
    // srun on the host, one task per GCD, each entering the container; deepy.py never runs
    expect(sbatch).toMatch(
      /^srun --kill-on-bad-exit=1 --ntasks-per-node=8 --cpu-bind=mask_cpu:0x00fe000000000000,0xfe00000000000000,\S+ singularity exec \S+\.sif bash "\$\{RUN_DIR\}"\/launch\/rank\.sh train "\$\{TRAIN_ARGV\}"$/m
    );
    expect(sbatch).not.toMatch(/^[^#\n]*deepy\.py/m);
    expect(sbatch).toContain("module load singularity-AI-bindings\n");
    const rank = renderAttempt(emma, first).files["launch/rank.sh"]!;
    expect(rank).toContain('eval "${WITH_CONDA}"\n');
    expect(rank).toContain("source /projappl/project_462000000/neox-venv/bin/activate\n");
    expect(rank).toContain('exec python -u "${argv[@]}"\n');
    expect(sbatch).not.toContain("--exclude");
  });

  it("resumes later attempts from the save directory, with exclusions, LR override and chaining", () => {
    const { files } = renderAttempt(emma, {
      index: 3,
      runId: "emma500-llama3-8b",
      load: { kind: "resume", iteration: 12000 },
      lr: 0.00005,
      seed: 7,
      excludeNodes: ["nid005613", "nid001234"],
      exitInterval: 1500,
      dependency: "singleton",
      timeLimit: "12:00:00",
      env: { NCCL_DEBUG: "INFO" }
    });
    const attempt = files["neox/attempt.yml"]!;
    expect(attempt).toContain('"load": "/scratch/project_462000000/emma500/checkpoints/emma500-llama3-8b"');
    expect(attempt).toContain('"finetune": false');
    expect(attempt).toContain('"iteration": 12000');
    expect(attempt).toContain('"override_lr_scheduler": true');
    expect(attempt).toContain('"lr": 0.00005');
    expect(attempt).toContain('"seed": 7');
    expect(attempt).toContain('"exit_interval": 1500');
    const sbatch = files["job.sbatch"]!;
    expect(sbatch).toContain("#SBATCH --exclude=nid001234,nid005613\n");
    expect(sbatch).toContain("#SBATCH --dependency=singleton\n");
    expect(sbatch).toContain("#SBATCH --time=12:00:00\n");
    expect(sbatch).toContain("#SBATCH --job-name=neoxctl-emma500-llama3-8b\n");
    expect(sbatch).toContain("#SBATCH --output=logs/attempt-3.out\n");
    // a resume attempt too: a Slurm requeue would rerun it from checkpoint 12000 whatever is newer
    expect(sbatch).toContain("#SBATCH --no-requeue\n");
    expect(sbatch).toContain("#SBATCH --open-mode=append\n");
    expect(sbatch).toContain("export NCCL_DEBUG=INFO\n");
    const planJson = JSON.parse(files["plan.json"]!) as { attempt: { logPath: string; comment: string } };
    expect(planJson.attempt.logPath).toBe("logs/attempt-3.out");
    expect(planJson.attempt.comment).toBe("neoxctl:run=emma500-llama3-8b;attempt=3");
  });

  it("refuses an LR override below min_lr and attempt 1 that resumes", () => {
    expect(() => renderAttempt(emma, { ...first, lr: 0.000001 })).toThrow(SpecError);
    expect(() => renderAttempt(emma, { ...first, load: { kind: "resume" } })).toThrow(SpecError);
  });

  it("runs the emulator per rank inside the test container on the local cluster, without a GPU request", () => {
    const { files } = renderAttempt(planRun(localInput()), { ...first, runId: "local-demo" });
    const sbatch = files["job.sbatch"]!;
    expect(sbatch).toContain(
      'singularity exec /var/lib/neoxctl-testcluster/image/neox-local.img bash "${RUN_DIR}"/launch/rank.sh argv "${TRAIN_ARGV}" "${RUN_DIR}"/neox/model.yml "${RUN_DIR}"/neox/train.yml "${RUN_DIR}"/neox/data.yml "${RUN_DIR}"/neox/attempt.yml;'
    );
    expect(sbatch).toContain(',}"/tmp,/opt/neoxctl\n');
    expect(files["launch/rank.sh"]).toContain(
      'exec node /opt/neoxctl/packages/emulator/bin/neox-emulator.js "${argv[@]}"\n'
    );
    expect(sbatch).not.toContain("--gpus-per-node");
    expect(sbatch).toContain("#SBATCH --nodes=2\n");
    expect(sbatch).toContain("#SBATCH --ntasks-per-node=2\n");
  });
});

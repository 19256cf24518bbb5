import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import { writeConvertedCheckpoint } from "@neoxctl/emulator";
import { dataPrefixes, planRun, renderAttempt } from "@neoxctl/plan";
import type { Attempt, Plan } from "@neoxctl/plan";
import { NEOX_LINE, touchDataFiles } from "./harness.ts";

// The emulator run by the real local Slurm cluster from a plan of examples/local-demo.yaml: the job
// writes NeoX-format logs and checkpoints, ends at exit_interval, and a second attempt resumes.
const REPO = resolve(import.meta.dirname, "../..");
const root = mkdtempSync("/tmp/neoxctl-emu-slurm-");
const submitted: string[] = [];

function loadPlan(): Plan {
  const specText = readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8")
    .replaceAll("/tmp/neoxctl-demo", root)
    .replace("train_iters: 300", "train_iters: 60");
  const spec = parseRunSpec(specText, "local-demo.yaml");
  const profile = parseClusterProfile(readFileSync(join(REPO, "clusters/local.yaml"), "utf8"), "local.yaml");
  if (spec.data.inline === undefined) throw new Error("local-demo.yaml is expected to carry its data inline");
  return planRun({ spec, profile, manifest: spec.data.inline, repoRoot: REPO, runDir: join(root, "run") });
}

function writeAttempt(plan: Plan, attempt: Attempt): string {
  const runDir = join(root, "run");
  for (const [rel, content] of Object.entries(renderAttempt(plan, attempt).files)) {
    mkdirSync(dirname(join(runDir, rel)), { recursive: true });
    writeFileSync(join(runDir, rel), content);
  }
  return runDir;
}

function sbatch(runDir: string): string {
  const out = execFileSync("sbatch", ["--parsable", "job.sbatch"], {
    cwd: runDir,
    encoding: "utf8",
    env: { ...process.env, NEOX_EMU_STEP_MS: "20", NEOX_EMU_SAVE_MS: "5" }
  });
  const id = out.trim().split(";")[0]!;
  submitted.push(id);
  return id;
}

async function waitGone(jobId: string, timeoutMs = 90_000): Promise<string> {
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
  for (const id of submitted) {
    try {
      execFileSync("scancel", [id]);
    } catch {
      // already gone
    }
  }
});

describe("emulator under Slurm from a neoxctl plan", () => {
  it("trains to exit_interval, checkpoints, and a second attempt resumes to train_iters", async () => {
    const plan = loadPlan();
    writeConvertedCheckpoint(join(root, "init/llama3-8b-neox"), 2);
    touchDataFiles(dataPrefixes(plan));

    const run1 = writeAttempt(plan, {
      index: 1,
      runId: "emu-slurm",
      load: { kind: "init" },
      excludeNodes: [],
      exitInterval: 40
    });
    const job1 = sbatch(run1);
    expect(await waitGone(job1)).toBe("COMPLETED");
    const log1 = readFileSync(join(run1, "logs/attempt-1.out"), "utf8");
    expect(log1).toContain("Loading checkpoint and starting from iteration 0");
    const its1 = log1
      .split("\n")
      .filter((l) => NEOX_LINE.test(l))
      .map((l) => Number(NEOX_LINE.exec(l)!.groups!.it));
    expect(its1.at(-1)).toBe(40);
    expect(log1).toMatch(/exiting the program at iteration 40/);

    const ckpt = join(root, "checkpoints/local-demo");
    expect(readFileSync(join(ckpt, "latest"), "utf8")).toBe("global_step40");
    const steps = readdirSync(ckpt)
      .filter((n) => n.startsWith("global_step"))
      .sort();
    expect(steps).toEqual(["global_step20", "global_step40"]);
    expect(existsSync(join(ckpt, "global_step40/configs"))).toBe(true);

    const run2 = writeAttempt(plan, {
      index: 2,
      runId: "emu-slurm",
      load: { kind: "resume" },
      excludeNodes: []
    });
    const job2 = sbatch(run2);
    expect(await waitGone(job2)).toBe("COMPLETED");
    const log2 = readFileSync(join(run2, "logs/attempt-2.out"), "utf8");
    expect(log2).toContain("Loading checkpoint and starting from iteration 40");
    const its2 = log2
      .split("\n")
      .filter((l) => NEOX_LINE.test(l))
      .map((l) => Number(NEOX_LINE.exec(l)!.groups!.it));
    expect(its2[0]).toBe(41);
    expect(its2.at(-1)).toBe(60);
    expect(readFileSync(join(ckpt, "latest"), "utf8")).toBe("global_step60");
  });
});

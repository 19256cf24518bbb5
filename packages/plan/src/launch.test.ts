import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SpecError, parseClusterProfile } from "@neoxctl/core";
import type { ClusterProfile } from "@neoxctl/core";
import { emmaInput, localInput, REPO } from "./fixtures.test-support.ts";
import { planRun } from "./plan-run.ts";
import { renderAttempt } from "./render-attempt.ts";
import { dataPrefixes, PREFLIGHT_EXIT_CODE } from "./preflight.ts";
import type { Attempt, Plan } from "./types.ts";

const first: Attempt = { index: 1, runId: "local-demo", load: { kind: "init" }, excludeNodes: [] };

function issues(fn: () => unknown): { path: string; rule: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => ({ path: i.path, rule: i.rule }));
    throw err;
  }
  return [];
}

/** The LUMI example with its profile edited after parsing. */
function lumiWith(edit: (p: ClusterProfile) => void): Plan {
  const profile = parseClusterProfile(readFileSync(join(REPO, "clusters/lumi.yaml"), "utf8"), "lumi.yaml");
  edit(profile);
  return planRun({ ...emmaInput(), profile });
}

const deepyOnHost = (p: ClusterProfile): void => {
  p.launch.mode = "deepy_host";
  p.environment = { module_use: [], modules: [], overlays: [], env: {} };
};

describe("launch modes", () => {
  // Regression: the LUMI plan ran `singularity exec <sif> python deepy.py …`, which cannot start a rank
  it("refuses deepy.py inside a container", () => {
    const found = issues(() => renderAttempt(lumiWith(deepyOnHost), { ...first, runId: "emma" }));
    expect(found.map((i) => i.path)).toEqual(["cluster.profile.launch.mode"]);
    expect(found[0]!.rule).toContain("deepy.py cannot run inside a container");
  });

  it("keeps deepy on the host where there is no container, with the binding in SLURM_CPU_BIND", () => {
    const plan = lumiWith((p) => {
      deepyOnHost(p);
      p.container = { kind: "none" };
    });
    const { files } = renderAttempt(plan, { ...first, runId: "emma" });
    const sbatch = files["job.sbatch"]!;
    expect(sbatch).toMatch(
      /^python \/projappl\/\S+\/deepy\.py \/projappl\/\S+\/train\.py "\$\{RUN_DIR\}"\/neox\/model\.yml/m
    );
    expect(sbatch).toMatch(/^export SLURM_CPU_BIND=mask_cpu:0x00fe/m);
    expect(sbatch).not.toContain("srun --kill-on-bad-exit");
    expect(files["launch/rank.sh"]).toBeUndefined();
  });

  it("refuses environment values that would break the script", () => {
    // the schema refuses both; the renderer's own guard must too, whoever built the plan
    const plan = lumiWith(() => undefined);
    plan.profile.environment.overlays = ["/a:b.sqsh"];
    plan.profile.environment.modules = ["x;reboot"];
    expect(issues(() => renderAttempt(plan, { ...first, runId: "emma" })).map((i) => i.path)).toEqual([
      "environment.modules[0]",
      "environment.overlays[0]"
    ]);
  });
});

/** The pre-flight block of a rendered batch script, run by bash against a scratch directory. */
function runPreflight(plan: Plan, attempt: Attempt, runDir: string): { code: number | null; out: string } {
  const sbatch = renderAttempt(plan, attempt).files["job.sbatch"]!;
  const start = sbatch.indexOf("# ---- pre-flight");
  const end = sbatch.indexOf("echo 'neoxctl-preflight: OK'");
  const block = sbatch.slice(start, end) + "echo 'neoxctl-preflight: OK'\n";
  const r = spawnSync("bash", ["-c", `set -euo pipefail\nRUN_DIR=${runDir}\n${block}`], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("pre-flight checks in the batch script", () => {
  const root = mkdtempSync(join(tmpdir(), "neoxctl-preflight-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const input = localInput((y) => y.replaceAll("/tmp/neoxctl-demo", root));
  const plan = planRun({ ...input, runDir: join(root, "run") });
  const image = plan.profile.container.kind === "singularity" ? plan.profile.container.image : "";
  // the image lives outside the scratch root: point the profile at a scratch copy
  const localImage = join(root, "image.img");
  if (plan.profile.container.kind === "singularity") plan.profile.container.image = localImage;
  const put = (p: string, text = ""): void => {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  };

  it("names the first missing input in one line and exits with the pre-flight code", () => {
    expect(image).not.toBe("");
    let r = runPreflight(plan, first, join(root, "run"));
    expect(r.code).toBe(PREFLIGHT_EXIT_CODE);
    expect(r.out.trim()).toBe(`neoxctl-preflight: FAIL image: ${localImage}`);

    put(localImage);
    r = runPreflight(plan, first, join(root, "run"));
    expect(r.out.trim()).toBe(`neoxctl-preflight: FAIL launcher: ${root}/run/launch/rank.sh`);

    put(join(root, "run/launch/rank.sh"));
    const init = plan.spec.init.checkpoint;
    r = runPreflight(plan, first, join(root, "run"));
    expect(r.out.trim()).toBe(`neoxctl-preflight: FAIL checkpoint: ${init}/latest`);

    put(join(init, "latest"), "0");
    put(join(init, "0/mp_rank_00_model_states.pt"));
    r = runPreflight(plan, first, join(root, "run"));
    // tp 2: the second tensor-parallel rank's file is missing
    expect(r.out.trim()).toBe(`neoxctl-preflight: FAIL checkpoint: ${init}/0/mp_rank_01_model_states.pt`);

    put(join(init, "0/mp_rank_01_model_states.pt"));
    r = runPreflight(plan, first, join(root, "run"));
    const prefixes = dataPrefixes(plan);
    expect(r.out.trim()).toBe(`neoxctl-preflight: FAIL data: ${prefixes[0]}.bin`);

    for (const p of prefixes) for (const ext of [".bin", ".idx"]) put(`${p}${ext}`);
    r = runPreflight(plan, first, join(root, "run"));
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe("neoxctl-preflight: OK");
  });

  // Regression: a missing or half-written `latest` made NeoX train from random weights or crash late
  it("on resume requires `latest` to name a complete step directory", () => {
    const save = plan.spec.checkpointing.save;
    const resume: Attempt = { ...first, index: 2, load: { kind: "resume" } };
    let r = runPreflight(plan, resume, join(root, "run"));
    expect(r.out.trim()).toBe(`neoxctl-preflight: FAIL checkpoint: ${save}/latest`);

    put(join(save, "latest"), "global_step20");
    const step = join(save, "global_step20");
    put(join(step, "mp_rank_00_model_states.pt"));
    put(join(step, "mp_rank_01_model_states.pt"));
    for (let d = 0; d < plan.layout.dp; d++)
      for (const t of ["00", "01"]) put(join(step, `bf16_zero_pp_rank_${d}_mp_rank_${t}_optim_states.pt`));
    r = runPreflight(plan, resume, join(root, "run"));
    expect(r.out.trim()).toBe(`neoxctl-preflight: FAIL checkpoint: ${step}/configs`);

    put(join(step, "configs/model.yml"));
    expect(runPreflight(plan, resume, join(root, "run")).code).toBe(0);

    rmSync(join(step, `bf16_zero_pp_rank_${plan.layout.dp - 1}_mp_rank_01_optim_states.pt`));
    r = runPreflight(plan, resume, join(root, "run"));
    expect(r.out.trim()).toBe(
      `neoxctl-preflight: FAIL checkpoint: ${step}/bf16_zero_pp_rank_${plan.layout.dp - 1}_mp_rank_01_optim_states.pt`
    );

    // an explicit iteration is checked instead of `latest`
    r = runPreflight(plan, { ...resume, load: { kind: "resume", iteration: 10 } }, join(root, "run"));
    expect(r.out.trim()).toBe(`neoxctl-preflight: FAIL checkpoint: ${save}/global_step10`);
  });
});

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import type { ClusterProfile, DataManifest, RunSpec } from "@neoxctl/core";
import { dataPrefixes, planRun, renderAttempt } from "@neoxctl/plan";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");

export interface ScenarioInputs {
  spec: RunSpec;
  profile: ClusterProfile;
  manifest: DataManifest;
  root: string;
  runDir: string;
}

export interface ScenarioOptions {
  name: string;
  trainIters: number;
  lr: number;
  /** emulator knobs, exported to every job through the profile's env */
  env: Record<string, string>;
  checkpointFactor?: number;
  /** more lines for the spec's `resilience:` block, e.g. "  slowdown: {window_min: 0.1}" */
  resilience?: string;
  /** more keys for the `resilience.spike` flow mapping, e.g. "min_lr: 0.0002" */
  spike?: string;
  /** edits the local cluster profile's text (after the emulator knobs went into its env) */
  profileEdit?: (text: string) => string;
}

/**
 * The local demo spec, shrunk for tests: its own directories, no pruning (rollbacks need older
 * checkpoints), short hang floor and spike windows so recoveries happen in seconds.
 */
export function scenarioInputs(o: ScenarioOptions): ScenarioInputs {
  const root = mkdtempSync(join("/tmp", `neoxctl-${o.name}-`));
  const specText = readFileSync(join(REPO_ROOT, "examples/local-demo.yaml"), "utf8")
    .replace(/^name: .*$/m, `name: ${o.name}`)
    .replace(/\/tmp\/neoxctl-demo\/init/g, `${root}/init`)
    .replace(/save: .*$/m, `save: ${root}/checkpoints`)
    .replace(/checkpoint_factor: .*$/m, `checkpoint_factor: ${o.checkpointFactor ?? 10}`)
    .replace(/^\s*keep_last_n: .*\n/m, "")
    .replace(/train_iters: .*$/m, `train_iters: ${o.trainIters}`)
    .replace(/^  lr: .*$/m, `  lr: ${o.lr}`)
    // a constant schedule keeps the LR where the scenario puts it (cosine decay would calm a spike by itself)
    .replace(/^  warmup: .*$/m, "  warmup: 0.01\n  decay_style: constant")
    .replace(
      /^cluster:/m,
      `resilience:\n  hang: {k: 10, floor_s: 2, startup_grace_s: 60}\n  spike: {recover_window_steps: 15, rollback_min_steps_before: 10, rollback_window_steps: 1000${o.spike ? `, ${o.spike}` : ""}}\n${o.resilience ? `${o.resilience}\n` : ""}cluster:`
    );
  const spec = parseRunSpec(specText, "scenario.yaml");
  const env = { NEOX_EMU_SAVE_MS: "5", ...o.env };
  const baseProfile = readFileSync(join(REPO_ROOT, "clusters/local.yaml"), "utf8").replace(
    /^env: \{\}$/m,
    `env: ${JSON.stringify(env)}`
  );
  const profileText = o.profileEdit ? o.profileEdit(baseProfile) : baseProfile;
  const profile = parseClusterProfile(profileText, "local.yaml");
  // files too, for the CLI (`neoxctl submit <root>/spec.yaml --cluster <root>/cluster.yaml`)
  writeFileSync(join(root, "spec.yaml"), specText);
  writeFileSync(join(root, "cluster.yaml"), profileText);
  const manifest = spec.data.inline!;
  const runDir = join(root, "run");
  mkdirSync(runDir, { recursive: true });
  const inputs = { spec, profile, manifest, root, runDir };
  makeInitCheckpoint(inputs);
  makeDataFiles(inputs);
  return inputs;
}

/**
 * Empty `.bin`/`.idx` files for every data prefix: the batch script's pre-flight refuses to start
 * without them, and the emulator does not read them.
 */
export function makeDataFiles(i: ScenarioInputs): void {
  const plan = planRun({
    spec: i.spec,
    profile: i.profile,
    manifest: i.manifest,
    repoRoot: REPO_ROOT,
    runDir: i.runDir
  });
  for (const prefix of dataPrefixes(plan)) {
    mkdirSync(dirname(prefix), { recursive: true });
    for (const ext of [".bin", ".idx"]) if (!existsSync(prefix + ext)) writeFileSync(prefix + ext, "");
  }
}

/**
 * The "converted Hugging Face checkpoint" attempt 1 starts from: the emulator trains one step of the
 * same model and saves it, so its architecture matches what later attempts load.
 */
function makeInitCheckpoint(i: ScenarioInputs): void {
  const initDir = i.spec.init.checkpoint;
  if (existsSync(join(initDir, "latest"))) return;
  const work = join(i.root, "init-build");
  mkdirSync(work, { recursive: true });
  const plan = planRun({
    spec: i.spec,
    profile: i.profile,
    manifest: i.manifest,
    repoRoot: REPO_ROOT,
    runDir: work
  });
  const { files } = renderAttempt(plan, {
    index: 1,
    runId: i.spec.name,
    load: { kind: "init" },
    excludeNodes: []
  });
  const paths: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    // an in-job restart's attempt config (spare nodes) is not one of the attempt's own configs
    if (!rel.startsWith("neox/") || rel === "neox/restart.yml") continue;
    const patched = text
      .replace(/^\s*"(load|finetune)": .*\n/gm, "")
      .replace(/"save": "[^"]*"/, `"save": "${initDir}"`)
      .replace(/"train_iters": \d+/, '"train_iters": 1')
      .replace(/"checkpoint_factor": \d+/, '"checkpoint_factor": 1');
    const p = join(work, rel.replace("neox/", ""));
    writeFileSync(p, patched);
    paths.push(p);
  }
  const r = spawnSync(
    process.execPath,
    [join(REPO_ROOT, "packages/emulator/bin/neox-emulator.js"), "train.py", ...paths],
    {
      cwd: work,
      env: {
        ...process.env,
        NEOX_EMU_STEP_MS: "1",
        NEOX_EMU_SAVE_MS: "1",
        NEOX_EMU_LOCAL_GPUS: String(plan.layout.nodes * i.profile.gcds_per_node),
        NEOX_EMU_STATE_FILE: join(work, "state.json")
      },
      encoding: "utf8"
    }
  );
  if (!existsSync(join(initDir, "latest")))
    throw new Error(`could not build the init checkpoint: ${r.stdout.slice(-500)}\n${r.stderr.slice(-1500)}`);
}

export function removeScenario(i: ScenarioInputs): void {
  rmSync(i.root, { recursive: true, force: true });
}

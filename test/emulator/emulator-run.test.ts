import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectedCheckpointFiles } from "@neoxctl/emulator";
import { MODEL_YML, runEmulator, tempRunDir, trainingPoints, writeConfigs } from "./harness.ts";

const RUN = (extra = ""): string =>
  `train-iters: 50\nlog_interval: 10\nsave: ck\nload: ck\ncheckpoint_factor: 10\n${extra}`;

function completeFiles(dir: string): string[] {
  return expectedCheckpointFiles({ tp: 1, pp: 0, dp: 8, bf16: true, numLayers: 2 }).filter((f) => {
    const p = join(dir, f);
    return f.endsWith("/") ? existsSync(p) && readdirSync(p).length > 0 : existsSync(p);
  });
}

describe("emulator: fresh run, checkpoints, pruning", () => {
  it("logs NeoX lines, saves the full file set, writes latest and prunes", () => {
    const dir = tempRunDir();
    const cfgs = writeConfigs(dir, {
      "model.yml": MODEL_YML,
      "run.yml": RUN("keep_last_n_checkpoints: 2\neval_interval: 20\neval_iters: 1\n")
    });
    const r = runEmulator(dir, cfgs);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Unable to load checkpoint.");
    expect(r.stdout).toContain("Loading checkpoint and starting from iteration 0");
    expect(r.stdout).toContain("training ...");
    const pts = trainingPoints(r.stdout);
    expect(pts.map((p) => p.it)).toEqual([10, 20, 30, 40, 50]);
    expect(Number(pts[4]?.loss)).toBeLessThan(Number(pts[0]?.loss));
    expect(r.stdout).toMatch(
      /^ validation results at iteration 20 \| lm_loss value: \d\.\d{6}E\+\d\d \| lm_loss_ppl value: /m
    );
    expect(readdirSync(join(dir, "ck")).sort()).toEqual(["global_step40", "global_step50", "latest"]);
    expect(readFileSync(join(dir, "ck", "latest"), "utf8")).toBe("global_step50");
    const step = join(dir, "ck", "global_step50");
    const expected = expectedCheckpointFiles({ tp: 1, pp: 0, dp: 8, bf16: true, numLayers: 2 });
    expect(completeFiles(step)).toEqual(expected);
    expect(readdirSync(join(step, "configs")).sort()).toEqual(["model.yml", "run.yml"]);
  });

  it("writes per-layer files and fp32 shard names for pp=1 tp=2", () => {
    const dir = tempRunDir();
    const model = MODEL_YML.replace('"precision": "bfloat16", "bf16": {"enabled": true}, ', "").replace(
      '"train_batch_size": 8',
      '"train_batch_size": 4, "model_parallel_size": 2, "pipe_parallel_size": 1'
    );
    const cfgs = writeConfigs(dir, {
      "model.yml": model,
      "run.yml": "train_iters: 10\nlog_interval: 5\nsave: ck\ncheckpoint_factor: 10\n"
    });
    const r = runEmulator(dir, cfgs);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, "ck", "global_step10")).sort();
    const expected = expectedCheckpointFiles({ tp: 2, pp: 1, dp: 4, bf16: false, numLayers: 2 })
      .map((f) => f.replace(/\/$/, ""))
      .sort();
    expect(files).toEqual(expected);
    expect(r.stdout).toMatch(/^time \(ms\)$/m);
  });
});

describe("emulator: resume semantics", () => {
  it("exit_interval saves, exits 0, and a resume continues the same curve", () => {
    const ref = tempRunDir();
    const full = runEmulator(ref, writeConfigs(ref, { "model.yml": MODEL_YML, "run.yml": RUN() }));
    expect(full.code).toBe(0);

    const dir = tempRunDir();
    const first = runEmulator(
      dir,
      writeConfigs(dir, { "model.yml": MODEL_YML, "run.yml": RUN(), "exit.yml": "exit_interval: 20\n" })
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^rank: 0 \| time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| exiting the program at iteration 20$/m
    );
    expect(trainingPoints(first.stdout).map((p) => p.it)).toEqual([10, 20]);
    expect(readFileSync(join(dir, "ck", "latest"), "utf8")).toBe("global_step20");

    const second = runEmulator(dir, [join(dir, "model.yml"), join(dir, "run.yml")]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Loading checkpoint and starting from iteration 20");
    expect(second.stdout).toContain("  successfully loaded ");
    expect(second.stdout).toContain(" > using checkpoint value 0.0001 for learning rate");
    expect(second.stdout).not.toContain("Unable to load checkpoint.");
    const resumed = trainingPoints(second.stdout);
    expect(resumed.map((p) => p.it)).toEqual([30, 40, 50]);
    expect(resumed).toEqual(trainingPoints(full.stdout).slice(2));
  });

  it("a changed LR on resume fails like AnnealingLR unless override_lr_scheduler is set", () => {
    const dir = tempRunDir();
    const [model, run] = writeConfigs(dir, { "model.yml": MODEL_YML, "run.yml": RUN("exit_interval: 20\n") });
    expect(runEmulator(dir, [model!, run!]).code).toBe(0);
    const lower = MODEL_YML.replace('"lr": 0.0001', '"lr": 0.00005');
    const [lowModel] = writeConfigs(dir, { "model-low.yml": lower });
    const [run2] = writeConfigs(dir, { "run2.yml": RUN() });
    const bad = runEmulator(dir, [lowModel!, run2!]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      "AssertionError: AnnealingLR: class input valueand checkpoint values for learning rate do not match"
    );
    expect(readFileSync(join(dir, "ck", "latest"), "utf8")).toBe("global_step20");

    const [over] = writeConfigs(dir, { "override.yml": "override_lr_scheduler: true\n" });
    const ok = runEmulator(dir, [lowModel!, run2!, over!]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(" > overriding learning rate value to 5e-05");
    const pts = trainingPoints(ok.stdout);
    expect(pts[0]?.it).toBe(30);
    expect(Number(pts[0]?.lr)).toBeLessThan(5e-5);
  });

  it("warmup change is caught too, and an explicit missing iteration lists the available ones", () => {
    const dir = tempRunDir();
    const [model, run] = writeConfigs(dir, { "model.yml": MODEL_YML, "run.yml": RUN("exit_interval: 20\n") });
    expect(runEmulator(dir, [model!, run!]).code).toBe(0);
    const [warm] = writeConfigs(dir, { "model-w.yml": MODEL_YML.replace('"warmup": 0.1', '"warmup": 0.2') });
    const bad = runEmulator(dir, [warm!, run!]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("checkpoint values for warmup iterations do not match");
    const missing = runEmulator(dir, [model!, run!, "--iteration", "15"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "ValueError: Unable to load checkpoint for iteration 15. \nAvailable iterations: [10, 20]"
    );
    const pinned = runEmulator(dir, [model!, run!, "--iteration", "10"]);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain("Loading checkpoint and starting from iteration 10");
  });

  it("finetune starts at iteration 0 without loading the scheduler", () => {
    const dir = tempRunDir();
    const [model, run] = writeConfigs(dir, { "model.yml": MODEL_YML, "run.yml": RUN("exit_interval: 20\n") });
    expect(runEmulator(dir, [model!, run!]).code).toBe(0);
    const [lowModel, ft] = writeConfigs(dir, {
      "model-low.yml": MODEL_YML.replace('"lr": 0.0001', '"lr": 0.00005'),
      "ft.yml": "finetune: true\n"
    });
    const r = runEmulator(dir, [lowModel!, run!, ft!]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Loading checkpoint and starting from iteration 0");
    expect(trainingPoints(r.stdout)[0]?.it).toBe(10);
  });
});

describe("emulator: config rejection", () => {
  it("rejects an unknown key with NeoX's TypeError and exit 1", () => {
    const dir = tempRunDir();
    const r = runEmulator(
      dir,
      writeConfigs(dir, { "model.yml": MODEL_YML, "run.yml": RUN("save_interval: 10\n") })
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "TypeError: NeoXArgs.__init__() got an unexpected keyword argument 'save_interval'"
    );
    expect(r.stdout).not.toContain("training ...");
  });
  it("fails on data_impl infer at dataset build, after setup", () => {
    const dir = tempRunDir();
    const r = runEmulator(
      dir,
      writeConfigs(dir, { "model.yml": MODEL_YML.replace('"data_impl": "mmap", ', ""), "run.yml": RUN() })
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Unknown dataset implementation");
    expect(r.stderr).toContain("AttributeError: 'NoneType' object has no attribute 'sizes'");
  });
});

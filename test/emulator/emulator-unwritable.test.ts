import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseLine } from "@neoxctl/monitor";
import { afterEach, describe, expect, it } from "vitest";
import { makeImmutable, undoImmutable } from "../support/immutable-dir.ts";
import { MODEL_YML, runEmulator, tempRunDir, writeConfigs } from "./harness.ts";

// A save directory that refuses new entries (chattr +i: root is not stopped by chmod). The emulator
// must fail the way NeoX does: DeepSpeed logs the swallowed makedirs failure, then the save raises
// (torch.save for a sequential model, PipelineModule's os.makedirs for a pipeline one), with a Python
// traceback and exit status 1; `latest` keeps naming the last good checkpoint.
const RUN = "train_iters: 40\nlog_interval: 10\nsave: ck\nload: ck\ncheckpoint_factor: 10\n";
const FRAME = /^ {2}File "[^"]+", line \d+, in [\w<>]+$/;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    undoImmutable(join(d, "ck"));
    rmSync(d, { recursive: true, force: true });
  }
});

function firstAttemptThenLock(pp: number): { dir: string; cfgs: string[] } {
  const dir = tempRunDir();
  dirs.push(dir);
  const cfgs = writeConfigs(dir, {
    "model.yml": MODEL_YML.replace('"num_layers": 2,', `"num_layers": 2, "pipe_parallel_size": ${pp},`),
    "run.yml": RUN
  });
  // checkpoints 10 and 20, then a crash; the directory turns unwritable before the next attempt
  expect(runEmulator(dir, cfgs, { NEOX_EMU_CRASH_AT: "25" }).code).toBe(1);
  makeImmutable(join(dir, "ck"));
  return { dir, cfgs };
}

/** stderr is one traceback: header, frames, the exception line last */
function traceback(stderr: string): { frames: string[]; last: string } {
  const lines = stderr.trimEnd().split("\n");
  const start = lines.indexOf("Traceback (most recent call last):");
  expect(start).toBeGreaterThanOrEqual(0);
  const body = lines.slice(start + 1, -1).filter((l) => l !== "    main()");
  for (const l of body) expect(l).toMatch(FRAME);
  return { frames: body, last: lines[lines.length - 1]! };
}

describe("emulator: checkpoint directory without write permission", () => {
  it("sequential model: DeepSpeed's error line, then torch.save's RuntimeError; latest untouched; resumes once writable", () => {
    const { dir, cfgs } = firstAttemptThenLock(0);
    const r = runEmulator(dir, cfgs);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^\[[\d-]+ [\d:,]+\] \[ERROR\] \[engine\.py:\d+:_create_checkpoint_file\] Failed saving model checkpoint to ck with tag global_step30$/m
    );
    const tb = traceback(r.stderr);
    expect(tb.last).toBe("RuntimeError: Parent directory ck/global_step30 does not exist.");
    expect(tb.frames.some((l) => l.includes("torch/serialization.py"))).toBe(true);
    expect(tb.frames.some((l) => l.includes("in save_ds_checkpoint"))).toBe(true);
    expect(readFileSync(join(dir, "ck", "latest"), "utf8")).toBe("global_step20");
    expect(existsSync(join(dir, "ck", "global_step30"))).toBe(false);
    // the monitor reads both lines as storage trouble at step 30
    expect(parseLine(r.stdout.split("\n").find((l) => l.includes("Failed saving"))!)).toMatchObject({
      kind: "checkpoint_save_error",
      step: 30
    });
    expect(parseLine(tb.last)).toMatchObject({ kind: "storage_error", fault: "unwritable", step: 30 });

    undoImmutable(join(dir, "ck"));
    const fixed = runEmulator(dir, cfgs);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain("Loading checkpoint and starting from iteration 20");
    expect(readFileSync(join(dir, "ck", "latest"), "utf8")).toBe("global_step40");
  });

  it("pipeline model: the pipeline module's os.makedirs raises PermissionError with Python's errno text", () => {
    const { dir, cfgs } = firstAttemptThenLock(1);
    const r = runEmulator(dir, cfgs);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Failed saving model checkpoint to ck with tag global_step30");
    // a pipeline model fails before DeepSpeed announces the save
    expect(r.stdout).not.toContain("Saving model checkpoint: ck/global_step30");
    const tb = traceback(r.stderr);
    expect(tb.last).toBe("PermissionError: [Errno 1] Operation not permitted: 'ck/global_step30'");
    expect(tb.frames.at(-1)).toMatch(/os\.py", line \d+, in makedirs$/);
    expect(parseLine(tb.last)).toMatchObject({
      kind: "storage_error",
      fault: "permission",
      path: "ck/global_step30",
      step: 30
    });
    expect(readFileSync(join(dir, "ck", "latest"), "utf8")).toBe("global_step20");
  });
});

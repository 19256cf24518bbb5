import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  MODEL_YML,
  runEmulator,
  startEmulator,
  tempRunDir,
  trainingPoints,
  writeConfigs
} from "./harness.ts";

const RUN = "train_iters: 40\nlog_interval: 10\nsave: ck\nload: ck\ncheckpoint_factor: 10\n";

function setup(run = RUN, model = MODEL_YML): { dir: string; cfgs: string[] } {
  const dir = tempRunDir();
  return { dir, cfgs: writeConfigs(dir, { "model.yml": model, "run.yml": run }) };
}

describe("emulator fault knobs", () => {
  it("crash fires once with its exit code; the retry resumes and finishes; _REPEAT re-fires", () => {
    const { dir, cfgs } = setup();
    const first = runEmulator(dir, cfgs, { NEOX_EMU_CRASH_AT: "15:3" });
    expect(first.code).toBe(3);
    expect(trainingPoints(first.stdout).map((p) => p.it)).toEqual([10]);
    expect(existsSync(join(dir, ".neox-emulator-state.json"))).toBe(true);
    const retry = runEmulator(dir, cfgs, { NEOX_EMU_CRASH_AT: "15:3" });
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain("Loading checkpoint and starting from iteration 10");
    const { dir: d2, cfgs: c2 } = setup();
    expect(runEmulator(d2, c2, { NEOX_EMU_CRASH_AT: "15", NEOX_EMU_CRASH_REPEAT: "1" }).code).toBe(1);
    expect(runEmulator(d2, c2, { NEOX_EMU_CRASH_AT: "15", NEOX_EMU_CRASH_REPEAT: "1" }).code).toBe(1);
  });

  it("NEOX_EMU_STATE_FILE moves the ledger", () => {
    const { dir, cfgs } = setup();
    const state = join(dir, "elsewhere.json");
    expect(runEmulator(dir, cfgs, { NEOX_EMU_CRASH_AT: "5", NEOX_EMU_STATE_FILE: state }).code).toBe(1);
    expect(JSON.parse(readFileSync(state, "utf8"))).toEqual({ fired: { "crash@5": true } });
  });

  it("NaN at a step prints NAN from then on in bf16; fp16 skips the step and counts it", () => {
    const { dir, cfgs } = setup();
    const bf = runEmulator(dir, cfgs, { NEOX_EMU_NAN_AT: "12" });
    expect(bf.code).toBe(0);
    const pts = trainingPoints(bf.stdout);
    expect(pts.map((p) => p.loss)).toEqual([expect.stringMatching(/E\+01$/), "NAN", "NAN", "NAN"]);
    expect(pts.every((p) => p.skipped === 0 && p.nan === 0)).toBe(true);
    const fp16 = MODEL_YML.replace(
      '"precision": "bfloat16", "bf16": {"enabled": true}',
      '"fp16": {"enabled": true, "initial_scale_power": 12}'
    );
    const { dir: d2, cfgs: c2 } = setup(RUN, fp16);
    const r = runEmulator(d2, c2, { NEOX_EMU_NAN_AT: "12" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| loss scale: 4096.0 |");
    expect(r.stdout).toContain(
      "| loss scale: 2048.0 | number of skipped iterations:   1 | number of nan iterations:   1 |"
    );
    expect(trainingPoints(r.stdout).every((p) => p.loss !== "NAN")).toBe(true);
  });

  it("spike at a step lifts the loss sharply at that step", () => {
    const { dir, cfgs } = setup(RUN.replace("log_interval: 10", "log_interval: 1"));
    const pts = trainingPoints(runEmulator(dir, cfgs, { NEOX_EMU_SPIKE_AT: "25" }).stdout);
    const at = (i: number): number => Number(pts.find((p) => p.it === i)?.loss);
    expect(at(25) - at(24)).toBeGreaterThan(3);
  });

  it("dying in a save leaves latest naming an incomplete directory, which then fails to load", () => {
    const { dir, cfgs } = setup();
    const r = runEmulator(dir, cfgs, { NEOX_EMU_DIE_IN_SAVE_AT: "20" });
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, "ck", "latest"), "utf8")).toBe("global_step20");
    const step = join(dir, "ck", "global_step20");
    expect(existsSync(join(step, "mp_rank_00_model_states.pt"))).toBe(true);
    expect(existsSync(join(step, "bf16_zero_pp_rank_7_mp_rank_00_optim_states.pt"))).toBe(false);
    expect(existsSync(join(step, "configs"))).toBe(false);
    const retry = runEmulator(dir, cfgs);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(
      /FileNotFoundError: \[Errno 2\] No such file or directory: '.*bf16_zero_pp_rank_1_mp_rank_00_optim_states\.pt'/
    );
    const pinned = runEmulator(dir, [...cfgs, "--iteration", "10"]);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain("Loading checkpoint and starting from iteration 10");
  });

  it("slow steps from a step stretch the reported iteration time at least by the factor", () => {
    const { dir, cfgs } = setup();
    const pts = runEmulator(dir, cfgs, { NEOX_EMU_STEP_MS: "2", NEOX_EMU_SLOW_FROM: "21:20" }).stdout;
    const ms = [...pts.matchAll(/elapsed time per iteration \(ms\): ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ms[2]).toBeGreaterThanOrEqual(40);
    expect(ms[3]).toBeGreaterThanOrEqual(40);
  });

  it("an RCCL error names the node and exits non-zero", () => {
    const { dir, cfgs } = setup();
    const r = runEmulator(dir, cfgs, { NEOX_EMU_RCCL_ERROR_AT: "13", SLURMD_NODENAME: "nid007" });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/^nid007:\d+:\d+ \[0\] NCCL WARN NET\/OFI /m);
    expect(r.stdout).toMatch(/^nid007:\d+:\d+ \[0\] transport\/net_ib\.cc:1295 NCCL WARN NET\/IB /m);
    expect(r.stderr).toContain("NCCL error in: ");
    expect(r.stderr).toContain("nid007: HIP error:");
  });

  it.each([
    ["NEOX_EMU_GPU_FAULT_AT", /^nid007: Memory access fault by GPU node-4 /m],
    ["NEOX_EMU_OOM_AT", /^torch\.OutOfMemoryError: HIP out of memory\. /m],
    [
      "NEOX_EMU_COLLECTIVE_TIMEOUT_AT",
      /^\[rank5\]:\[E\d{4} [\d:.]+ ProcessGroupNCCL\.cpp:616\] \[Rank 5\] Watchdog caught collective operation timeout: WorkNCCL\(SeqNum=104, OpType=ALLREDUCE, /m
    ]
  ])("%s prints the failure's real lines on stderr and exits non-zero", (knob, line) => {
    const { dir, cfgs } = setup();
    const r = runEmulator(dir, cfgs, { [knob]: "13", SLURMD_NODENAME: "nid007", RANK: "5" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(line);
    expect(r.stdout).not.toContain("iteration       13/");
  });

  it("hang stops output without exiting; SIGTERM kills it without a save", async () => {
    const { dir, cfgs } = setup(RUN.replace("log_interval: 10", "log_interval: 1"));
    const emu = startEmulator(dir, cfgs, { NEOX_EMU_HANG_AT: "15" });
    await emu.waitFor((s) => s.includes("iteration       14/"));
    await new Promise((r) => setTimeout(r, 500));
    expect(emu.stdout()).not.toContain("iteration       15/");
    expect(emu.child.exitCode).toBeNull();
    emu.child.kill("SIGTERM");
    const end = await emu.exited;
    expect(end.signal).toBe("SIGTERM");
    expect(readFileSync(join(dir, "ck", "latest"), "utf8")).toBe("global_step10");
  });

  it("an LR above the unstable threshold spikes; rolling back with a lower LR cures it", () => {
    const run = "train_iters: 120\nlog_interval: 1\nsave: ck\nload: ck\ncheckpoint_factor: 5\nseed: 42\n";
    const hot = MODEL_YML.replace('"lr": 0.0001', '"lr": 0.0006').replace('"warmup": 0.1', '"warmup": 0.01');
    const { dir, cfgs } = setup(run, hot);
    const a = trainingPoints(runEmulator(dir, cfgs).stdout);
    const jumps = (pts: typeof a): number[] =>
      pts.filter((p, i) => i > 0 && !(Number(p.loss) < Number(pts[i - 1]?.loss) + 0.5)).map((p) => p.it);
    const first = jumps(a)[0];
    expect(first).toBeDefined();
    const back = Math.floor(((first ?? 0) - 1) / 5) * 5;
    expect(back).toBeGreaterThan(0);
    const cool = MODEL_YML.replace('"warmup": 0.1', '"warmup": 0.01');
    const [coolModel, over] = writeConfigs(dir, {
      "model-cool.yml": cool,
      "over.yml": "override_lr_scheduler: true\n"
    });
    const b = runEmulator(dir, [coolModel!, cfgs[1]!, over!, "--iteration", String(back)]);
    expect(b.code).toBe(0);
    const pts = trainingPoints(b.stdout);
    expect(pts[0]?.it).toBe(back + 1);
    expect(jumps(pts)).toEqual([]);
  });
});

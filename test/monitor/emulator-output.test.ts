/**
 * The monitor against the NeoX stand-in: its checkpoints must pass the inspector (whose file set is
 * written from the NeoX facts, independently of the emulator's), its cut-short save must not, and
 * every training line it prints must parse.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalExecutor } from "@neoxctl/exec";
import {
  inspectCheckpoints,
  LineParser,
  lossSeriesFromLog,
  newestComplete,
  RobustSpikeDetector
} from "@neoxctl/monitor";
import type { LogEvent } from "@neoxctl/monitor";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../../packages/emulator/bin/neox-emulator.js");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function runEmulator(opts: { tp: number; pp: number; gpus: number; env?: Record<string, string> }): {
  dir: string;
  save: string;
  log: string;
  status: number;
} {
  const dir = mkdtempSync(join(tmpdir(), "emu-mon-"));
  dirs.push(dir);
  const save = join(dir, "ck");
  const cfg = {
    train_iters: 40,
    log_interval: 5,
    train_micro_batch_size_per_gpu: 1,
    gradient_accumulation_steps: 1,
    model_parallel_size: opts.tp,
    pipe_parallel_size: opts.pp,
    num_layers: 2,
    hidden_size: 64,
    num_attention_heads: 4,
    seq_length: 128,
    max_position_embeddings: 128,
    optimizer: { type: "Adam", params: { lr: 0.0001 } },
    bf16: { enabled: true },
    zero_optimization: { stage: 1 },
    save,
    load: save,
    checkpoint_factor: 10,
    data_impl: "mmap",
    data_path: join(dir, "data_text_document")
  };
  writeFileSync(join(dir, "run.yml"), JSON.stringify(cfg, null, 2));
  const env = {
    ...process.env,
    NEOX_EMU_LOCAL_GPUS: String(opts.gpus),
    NEOX_EMU_STEP_MS: "1",
    NEOX_EMU_SAVE_MS: "1",
    NEOX_EMU_STATE_FILE: join(dir, "emu-state.json"),
    ...opts.env
  };
  let status = 0;
  let log = "";
  try {
    log = execFileSync(process.execPath, [BIN, "train.py", "run.yml"], {
      cwd: dir,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"]
    });
  } catch (e) {
    const err = e as { status: number | null; stdout?: string };
    status = err.status ?? -1;
    log = err.stdout ?? "";
  }
  writeFileSync(join(dir, "out.log"), log);
  return { dir, save, log, status };
}

describe.skipIf(!existsSync(BIN))(
  "monitor on emulator output (skipped: packages/emulator/bin/neox-emulator.js not present)",
  () => {
    it("accepts the emulator's checkpoints for tp=2 dp=2 bf16 and parses its log", async () => {
      const { save, log, status } = runEmulator({ tp: 2, pp: 0, gpus: 4 });
      expect(status).toBe(0);
      const report = await inspectCheckpoints(new LocalExecutor(), save, { tp: 2, pp: 0, dp: 2, bf16: true });
      expect(report.latest).toBe("ok");
      expect(report.checkpoints.map((c) => [c.step, c.complete])).toEqual([
        [10, true],
        [20, true],
        [30, true],
        [40, true]
      ]);
      expect(newestComplete(report, 25)?.tag).toBe("global_step20");

      const parser = new LineParser("neox");
      const events: LogEvent[] = [];
      for (const line of log.split("\n")) {
        const ev = parser.parse(line);
        if (ev) events.push(ev);
      }
      expect(events.filter((e) => e.kind === "train").map((e) => (e.kind === "train" ? e.step : -1))).toEqual(
        [5, 10, 15, 20, 25, 30, 35, 40]
      );
      expect(events.some((e) => e.kind === "checkpoint_missing")).toBe(true);
      expect(events.filter((e) => e.kind === "checkpoint_saved").length).toBe(4);
    });

    it("accepts pipeline checkpoints (pp=1, per-layer files)", async () => {
      const { save, status } = runEmulator({ tp: 1, pp: 1, gpus: 2 });
      expect(status).toBe(0);
      const report = await inspectCheckpoints(new LocalExecutor(), save, { tp: 1, pp: 1, dp: 2, bf16: true });
      expect(report.checkpoints.every((c) => c.complete)).toBe(true);
      expect(report.checkpoints.length).toBe(4);
    });

    it("rejects the save cut short by a crash, even though latest names it", async () => {
      const { save, status } = runEmulator({ tp: 2, pp: 0, gpus: 4, env: { NEOX_EMU_DIE_IN_SAVE_AT: "20" } });
      expect(status).not.toBe(0);
      const report = await inspectCheckpoints(new LocalExecutor(), save, { tp: 2, pp: 0, dp: 2, bf16: true });
      expect(readFileSync(join(save, "latest"), "utf8").trim()).toBe("global_step20");
      expect(report.latest).toBe("names_incomplete");
      expect(newestComplete(report)?.step).toBe(10);
    });

    it("turns an injected NaN into a nan alarm", async () => {
      const { log } = runEmulator({ tp: 1, pp: 0, gpus: 1, env: { NEOX_EMU_NAN_AT: "22" } });
      const { points } = lossSeriesFromLog(log, "neox");
      const d = new RobustSpikeDetector();
      const alarms = points.flatMap((p) => d.push(p)).filter((e) => e.type === "alarm");
      expect(alarms[0]).toMatchObject({ kind: "nan", step: 25 });
    });
  }
);

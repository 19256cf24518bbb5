import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const EMULATOR_BIN = resolve(import.meta.dirname, "../../packages/emulator/bin/neox-emulator.js");

// NeoX's training line as a regex, derived from the format strings of training_log() in
// EleutherAI/gpt-neox@ea7aefd8f8e183256992d9fede4d7c71a46d67a5 megatron/logging.py (the MFU/HFU fields are optional, added in #1331).
export const NEOX_LINE =
  /^\s*samples\/sec: (?<sps>[\d.]+) \| iteration\s+(?<it>\d+)\/\s*(?<total>\d+) \| elapsed time per iteration \(ms\): (?<ms>[\d.]+) \| learning rate: (?<lr>[-+\dE.]+|NAN|INF) \| approx flops per GPU: (?<flops>[^|]+) \|(?: MFU: (?<mfu>[\d.]+)% \| HFU: (?<hfu>[\d.]+)% \|)?(?<losses>(?: [\w ]+: (?:[-+\dE.]+|NAN|-?INF) \|)*?)(?: loss scale: (?<scale>[\d.]+) \|)? number of skipped iterations:\s*(?<skipped>\d+) \| number of nan iterations:\s*(?<nan>\d+) \|/;

export const MODEL_YML = `{
  "num_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "seq_length": 128, "max_position_embeddings": 128,
  "optimizer": {"type": "Adam", "params": {"lr": 0.0001}},
  "min_lr": 0.00001, "warmup": 0.1, "lr_decay_style": "cosine",
  "train_micro_batch_size_per_gpu": 1, "gradient_accumulation_steps": 1, "train_batch_size": 8,
  "precision": "bfloat16", "bf16": {"enabled": true}, "zero_optimization": {"stage": 1},
  "data_impl": "mmap", "data_path": "/data/enwik8_text_document"
}
`;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tempRunDir(): string {
  return mkdtempSync(join(tmpdir(), "neox-emu-"));
}

/** Writes the named config files into dir and returns their paths (in order). */
export function writeConfigs(dir: string, files: Record<string, string>): string[] {
  return Object.entries(files).map(([name, text]) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  });
}

export function runEmulator(dir: string, args: string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(process.execPath, [EMULATOR_BIN, "train.py", ...args], {
    cwd: dir,
    env: { ...process.env, NEOX_EMU_STEP_MS: "1", NEOX_EMU_SAVE_MS: "2", NEOX_EMU_LOCAL_GPUS: "8", ...env },
    encoding: "utf8",
    timeout: 60_000
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the emulator and resolves once `predicate` holds for its stdout so far. */
export function startEmulator(dir: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [EMULATOR_BIN, "train.py", ...args], {
    cwd: dir,
    env: { ...process.env, NEOX_EMU_STEP_MS: "1", NEOX_EMU_SAVE_MS: "2", ...env }
  });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => res({ code, signal }))
  );
  return {
    child,
    exited,
    stdout: () => stdout,
    waitFor: async (predicate: (s: string) => boolean): Promise<void> => {
      while (!predicate(stdout)) await new Promise((r) => setTimeout(r, 20));
    }
  };
}

export interface LoggedPoint {
  it: number;
  lr: string;
  loss: string;
  skipped: number;
  nan: number;
}

/** Training lines that match the reference regex, with their fields. */
export function trainingPoints(stdout: string): LoggedPoint[] {
  const out: LoggedPoint[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.includes("samples/sec")) continue;
    const m = NEOX_LINE.exec(line);
    if (!m?.groups) throw new Error(`training line does not match the NeoX regex: ${line}`);
    const loss = /lm_loss: (\S+) \|/.exec(m.groups["losses"] ?? "")?.[1] ?? "";
    out.push({
      it: Number(m.groups["it"]),
      lr: m.groups["lr"] ?? "",
      loss,
      skipped: Number(m.groups["skipped"]),
      nan: Number(m.groups["nan"])
    });
  }
  return out;
}

/** Empty PREFIX.bin/.idx for every data prefix of a plan: the batch script's pre-flight checks them. */
export function touchDataFiles(prefixes: readonly string[]): void {
  for (const p of prefixes) {
    mkdirSync(dirname(p), { recursive: true });
    for (const ext of [".bin", ".idx"]) writeFileSync(`${p}${ext}`, "");
  }
}

import { writeSync } from "node:fs";

/**
 * Rank-0 output. Every line is written synchronously so it reaches the Slurm output file at once,
 * as NeoX's print_rank_0(..., flush=True) does, even if the process is killed right after.
 */
export interface Printer {
  out(line: string): void;
  err(line: string): void;
}

export const stdioPrinter: Printer = {
  out: (line) => void writeSync(1, `${line}\n`),
  err: (line) => void writeSync(2, `${line}\n`)
};

/** DeepSpeed's logger prefix: `[2025-01-31 12:00:00,123] [INFO] [file:line:func] `. */
export function dsLogPrefix(
  level: "INFO" | "WARNING" | "ERROR",
  where: string,
  now: Date = new Date()
): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const ts = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())},${p(now.getMilliseconds(), 3)}`;
  return `[${ts}] [${level}] [${where}] `;
}

/** Python `datetime.now().strftime("%Y-%m-%d %H:%M:%S")`. */
export function pyNow(now: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
}

/** Blocking sleep: the loop is sequential like a training step, and SIGTERM still kills us at once. */
export function sleepMs(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RankEnv } from "./rank-env.ts";
import { sleepMs } from "../output/printer.ts";

/**
 * Stands in for the process group: one directory per job step, on the run directory's shared file
 * system. Rank 0 does the emulated work (all of NeoX's rank-0 output and every checkpoint file);
 * the other ranks wait in it as if blocked in a collective, and leave when rank 0 ends cleanly. A rank
 * that dies ends the step through srun (--kill-on-bad-exit), as it would on a cluster.
 */
export function rendezvousDir(env: NodeJS.ProcessEnv, r: RankEnv, cwd: string): string {
  const step = `${env["SLURM_JOB_ID"] ?? "nojob"}.${env["SLURM_STEP_ID"] ?? "0"}.${r.masterAddr}.${r.masterPort}`;
  return join(cwd, ".neox-emulator-rdzv", step.replace(/[^A-Za-z0-9_.-]/g, "_"));
}

/** Rank 0 at a clean end (training finished or exit_interval). */
export function markDone(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "done"), "0");
}

/** A non-zero rank: wait for rank 0's clean end; `die` (a fault) ends this rank early instead. */
export function follow(dir: string, die: { afterMs: number } | null): number {
  const start = Date.now();
  for (;;) {
    if (existsSync(join(dir, "done"))) return Number(readFileSync(join(dir, "done"), "utf8")) || 0;
    if (die !== null && Date.now() - start >= die.afterMs) return -1;
    sleepMs(100);
  }
}

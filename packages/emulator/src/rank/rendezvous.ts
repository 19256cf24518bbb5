import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import type { RankEnv } from "./rank-env.ts";
import { PythonError } from "../config/python-error.ts";
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

/** The node a rank runs on, as Slurm names it (srun sets SLURMD_NODENAME in every task). */
export function rankHost(env: NodeJS.ProcessEnv): string {
  return env["SLURMD_NODENAME"] || hostname();
}

const short = (host: string): string => (host.split(".")[0] ?? host).toLowerCase();

/**
 * torch.distributed's env:// rendezvous: rank 0 serves the TCPStore on its own node and every rank
 * connects to MASTER_ADDR:MASTER_PORT (torch/distributed/rendezvous.py `_env_rendezvous_handler`,
 * `_create_c10d_store`). When MASTER_ADDR names another node nothing listens there: the other ranks
 * time out connecting and rank 0 times out waiting for them (the default timeout is 30 minutes).
 * Rank 0, which knows both names, raises that error at once instead of waiting. An IP address is not
 * checked (the emulator does not resolve names); `localhost` passes on a one-node step.
 */
export function checkMasterAddr(env: NodeJS.ProcessEnv, r: RankEnv): void {
  if (r.rank !== 0 || isIP(r.masterAddr) !== 0) return;
  const host = rankHost(env);
  if (short(r.masterAddr) === short(host)) return;
  if (r.masterAddr === "localhost" && (env["SLURM_STEP_NUM_NODES"] ?? "1") === "1") return;
  throw new PythonError(
    "torch.distributed.DistStoreError",
    `Timed out after 1801 seconds waiting for clients. 1/${r.worldSize} clients joined.`,
    [
      `neox-emulator: rank 0 runs on ${host} but MASTER_ADDR=${r.masterAddr}: no rank serves the rendezvous store at ${r.masterAddr}:${r.masterPort}, so torch.distributed would time out; failing at once`
    ]
  );
}

/** Rank 0 at its end: 0 after a clean end (training finished or exit_interval), else its exit status. */
export function markDone(dir: string, code = 0): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "done"), String(code));
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

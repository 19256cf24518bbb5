import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess, SpawnSyncReturns } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./scenario.ts";

/**
 * The CLI as a user runs it, from the sources (tsx): `neoxctl submit`/`status` to completion and
 * `neoxctl supervise` as a child process a test can SIGKILL (kill9, graph-kill9).
 */
const TSX = join(REPO_ROOT, "node_modules/tsx/dist/esm/index.mjs");
const CLI = join(REPO_ROOT, "packages/cli/src/main.ts");

/** Runs one neoxctl command against the Redis prefix `prefix`, to its end. */
export function runCli(
  args: readonly string[],
  prefix: string,
  env: Record<string, string> = {}
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ["--import", TSX, CLI, ...args], {
    env: { ...process.env, NEOXCTL_REDIS_PREFIX: prefix, ...env },
    encoding: "utf8"
  });
}

/** `neoxctl supervise` with a short poll and lease, its output appended to `out`. */
export function startSupervisor(
  prefix: string,
  out: string[],
  env: Record<string, string> = {}
): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--import", TSX, CLI, "supervise", "--poll-interval-ms", "300", "--lease-ttl-ms", "1500"],
    {
      env: { ...process.env, NEOXCTL_REDIS_PREFIX: prefix, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    }
  );
  child.stdout!.on("data", (d: Buffer) => out.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => out.push(d.toString()));
  return child;
}

/** Resolves once the worker is up (start-up time is not a kill point worth having). */
export function ready(out: string[], from: number): Promise<void> {
  return new Promise((res) => {
    const check = (): void =>
      out.slice(from).join("").includes("supervising") ? res() : void setTimeout(check, 50);
    check();
  });
}

/** SIGKILL, as a crash: nothing of the process runs after it. Resolves once it has exited. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await gone;
}

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";

/**
 * A directory that refuses new entries even to root, for faults like "the checkpoint directory
 * has no write permission": the tests run as root, whom `chmod` does not stop. `chattr +i` does
 * (EPERM), on ext4, xfs, btrfs and tmpfs (Linux ≥ 6.0), given CAP_LINUX_IMMUTABLE. Like a
 * directory without write permission, it refuses creating, removing and renaming its entries,
 * while files already in it stay writable.
 */
export function makeImmutable(dir: string): void {
  const r = spawnSync("chattr", ["+i", dir], { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(
      `cannot inject an unwritable directory: chattr +i ${dir} failed (${r.error?.message ?? r.stderr.trim()}); needs root with CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs/tmpfs`
    );
  // prove the fault is real before a test relies on it
  const probe = join(dir, `.write-probe-${process.pid}`);
  try {
    mkdirSync(probe);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EPERM") return;
    undoImmutable(dir);
    throw e;
  }
  rmdirSync(probe);
  undoImmutable(dir);
  throw new Error(`chattr +i ${dir} did not stop root from creating entries in it`);
}

/** Lifts `makeImmutable`; harmless on a directory that is not immutable or no longer exists. */
export function undoImmutable(dir: string): void {
  if (!existsSync(dir)) return;
  const r = spawnSync("chattr", ["-i", dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`chattr -i ${dir} failed: ${r.error?.message ?? r.stderr.trim()}`);
}

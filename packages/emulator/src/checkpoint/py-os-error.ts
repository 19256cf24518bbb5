import { existsSync, mkdirSync } from "node:fs";
import { constants } from "node:os";
import { dirname } from "node:path";
import type { PyFrame, PythonErrorType } from "../config/python-error.ts";
import { PythonError } from "../config/python-error.ts";

/** Python's OSError subclass and glibc's strerror text for the errnos a checkpoint write can meet. */
const ERRNO: Readonly<Record<string, { type: PythonErrorType; text: string }>> = {
  EPERM: { type: "PermissionError", text: "Operation not permitted" },
  ENOENT: { type: "FileNotFoundError", text: "No such file or directory" },
  EIO: { type: "OSError", text: "Input/output error" },
  EACCES: { type: "PermissionError", text: "Permission denied" },
  EEXIST: { type: "FileExistsError", text: "File exists" },
  ENOTDIR: { type: "NotADirectoryError", text: "Not a directory" },
  EISDIR: { type: "IsADirectoryError", text: "Is a directory" },
  ENOSPC: { type: "OSError", text: "No space left on device" },
  EROFS: { type: "OSError", text: "Read-only file system" },
  ESTALE: { type: "OSError", text: "Stale file handle" },
  EDQUOT: { type: "OSError", text: "Disk quota exceeded" }
};

/** Python's repr() of a str, as it appears after `[Errno N] …: `. */
export function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += `\\${q}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${q}${out}${q}`;
}

export function isFsError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string";
}

/**
 * The exception Python raises for the same failed system call: `PermissionError: [Errno 13]
 * Permission denied: '/ck/global_step40'`. `path` is the file Python would name (the one the
 * failing call was given).
 */
export function pyOsError(
  e: NodeJS.ErrnoException & { code: string },
  path: string,
  frames: readonly PyFrame[]
): PythonError {
  const known = ERRNO[e.code];
  const num = (constants.errno as Record<string, number | undefined>)[e.code] ?? Math.abs(e.errno ?? 0);
  const text = known?.text ?? e.code;
  return new PythonError(known?.type ?? "OSError", `[Errno ${num}] ${text}: ${pyStrRepr(path)}`, [], frames);
}

/** Runs one file-system call as Python would: a failure becomes the matching OSError, raised through `frames`. */
export function asPython<T>(path: string, frames: readonly PyFrame[], call: () => T): T {
  try {
    return call();
  } catch (e) {
    if (isFsError(e)) throw pyOsError(e, e.path ?? path, frames);
    throw e;
  }
}

/**
 * os.makedirs(path, exist_ok=True). Python creates missing parents one by one, so a failure names
 * the shallowest directory it could not create, spelled as given (relative stays relative).
 */
export function pyMakedirs(path: string, frames: readonly PyFrame[]): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    if (!isFsError(e)) throw e;
    let failed = path;
    while (dirname(failed) !== failed && !existsSync(dirname(failed))) failed = dirname(failed);
    throw pyOsError(e, failed, frames);
  }
}

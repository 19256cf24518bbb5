import type { LogEvent, StorageFault } from "../events.ts";
import { stripLinePrefixes } from "./rank-prefix.ts";

/**
 * Lines saying storage refused a write, in the forms NeoX's save path produces them:
 * - DeepSpeed's `_create_checkpoint_file` catches the failed makedirs of `<save>/<tag>` and only
 *   logs `Failed saving model checkpoint to <save> with tag <tag>`, without the errno;
 * - a sequential model's torch.save then raises `RuntimeError: Parent directory <dir> does not
 *   exist.` (`File <path> cannot be opened.` when the directory is there but the file is refused),
 *   and a write cut short reads `PytorchStreamWriter failed writing file …`;
 * - a pipeline model's own os.makedirs lets the OSError out: `PermissionError: [Errno 13]
 *   Permission denied: '<dir>'`, `OSError: [Errno 30] Read-only file system: '<dir>'`, …
 * Retrying does not change permissions or free a disk, which is why these get their own event.
 */

/** errnos that mean the storage itself refuses writes (EPERM comes from immutable files and ACLs) */
const ERRNO_FAULT: Readonly<Record<number, StorageFault>> = {
  1: "permission",
  13: "permission",
  28: "no_space",
  30: "read_only",
  122: "quota"
};

const stepOf = (path: string | null): number | null => {
  const m = path === null ? null : /global_step(\d+)(?:\/|$)/.exec(path);
  return m ? Number(m[1]) : null;
};

/** The path in Python's repr() at the end of an OSError message (`… denied: '/a/b'`), unescaped. */
function reprPath(tail: string | undefined): string | null {
  const m = tail === undefined ? null : /^(['"])(.*)\1$/.exec(tail.trim());
  if (!m || m[2] === undefined) return null;
  return m[2].replace(/\\(['"\\])/g, "$1");
}

export function parseStorageErrorLine(rawLine: string): LogEvent | null {
  // every form below has "…Error" or "Failed" in it; most lines have neither
  if (!rawLine.includes("rror") && !rawLine.includes("ailed")) return null;
  const line = stripLinePrefixes(rawLine).trim();
  let m = /Failed saving model checkpoint to (\S+) with tag (\S+)/i.exec(line);
  if (m) {
    const path = `${(m[1] ?? "").replace(/\/+$/, "")}/${m[2] ?? ""}`;
    return { kind: "checkpoint_save_error", step: stepOf(path), path };
  }
  m = /^(?:[\w.]+\.)?(?:PermissionError|OSError): \[Errno (\d+)\] [^:'"]*(?::\s*(.*))?$/.exec(line);
  if (m) {
    const fault = ERRNO_FAULT[Number(m[1])];
    if (fault === undefined) return null;
    const path = reprPath(m[2]);
    return { kind: "storage_error", fault, path, step: stepOf(path), message: line };
  }
  m = /^RuntimeError: (?:Parent directory (.+) does not exist|File (.+) cannot be opened)\.$/.exec(line);
  if (m) {
    const path = m[1] ?? m[2] ?? null;
    return { kind: "storage_error", fault: "unwritable", path, step: stepOf(path), message: line };
  }
  if (/^RuntimeError: .*PytorchStreamWriter failed writing file/.test(line))
    return { kind: "storage_error", fault: "unwritable", path: null, step: null, message: line };
  return null;
}

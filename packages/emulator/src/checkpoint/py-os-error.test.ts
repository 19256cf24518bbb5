import { describe, expect, it } from "vitest";
import { pyOsError, pyStrRepr } from "./py-os-error.ts";

const fsError = (code: string, errno: number): NodeJS.ErrnoException & { code: string } =>
  Object.assign(new Error(code), { code, errno: -errno });

describe("Python's view of a failed system call", () => {
  it.each([
    ["/ck/global_step40", "'/ck/global_step40'"],
    ["it's", `"it's"`],
    [`a'"b`, `'a\\'"b'`],
    ["x\ny\\", "'x\\ny\\\\'"],
    ["tab\there\u0001", "'tab\\there\\x01'"]
  ])("repr(%j) is %s", (s, repr) => {
    expect(pyStrRepr(s)).toBe(repr);
  });

  it.each([
    ["EACCES", 13, "PermissionError", "[Errno 13] Permission denied: '/ck/global_step40'"],
    ["EPERM", 1, "PermissionError", "[Errno 1] Operation not permitted: '/ck/global_step40'"],
    ["EROFS", 30, "OSError", "[Errno 30] Read-only file system: '/ck/global_step40'"],
    ["ENOSPC", 28, "OSError", "[Errno 28] No space left on device: '/ck/global_step40'"],
    ["EDQUOT", 122, "OSError", "[Errno 122] Disk quota exceeded: '/ck/global_step40'"],
    ["ENOENT", 2, "FileNotFoundError", "[Errno 2] No such file or directory: '/ck/global_step40'"]
  ])("%s becomes %s", (code, errno, type, message) => {
    const e = pyOsError(fsError(code, errno), "/ck/global_step40", []);
    expect([e.pyType, e.message]).toEqual([type, message]);
  });
});

import { readdir, readFile, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import type { SFTPWrapper, Stats } from "ssh2";
import { DEFAULT_READ_BYTES } from "../result.ts";

// SFTP status codes (draft-ietf-secsh-filexfer): the only ones we branch on
const SFTP_NO_SUCH_FILE = 2;

function isNoSuchFile(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === SFTP_NO_SUCH_FILE;
}

/** Turns an ssh2 callback-style call into a promise. */
function call<T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

function statOrNull(sftp: SFTPWrapper, path: string): Promise<Stats | null> {
  return new Promise((resolve, reject) =>
    sftp.stat(path, (err, st) => (err ? (isNoSuchFile(err) ? resolve(null) : reject(err)) : resolve(st)))
  );
}

export async function readRemoteFrom(
  sftp: SFTPWrapper,
  path: string,
  offset: number,
  maxBytes = DEFAULT_READ_BYTES
): Promise<{ data: Buffer; size: number }> {
  let handle: Buffer;
  try {
    handle = await call<Buffer>((cb) => sftp.open(path, "r", cb));
  } catch (err) {
    if (isNoSuchFile(err)) return { data: Buffer.alloc(0), size: 0 };
    throw err;
  }
  try {
    const st = await call<Stats>((cb) => sftp.fstat(handle, cb));
    const want = Math.max(0, Math.min(maxBytes, st.size - offset));
    const data = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const n = await new Promise<number>((resolve, reject) =>
        sftp.read(handle, data, got, want - got, offset + got, (err, bytesRead) =>
          err ? reject(err) : resolve(bytesRead)
        )
      );
      if (n === 0) break;
      got += n;
    }
    return { data: data.subarray(0, got), size: st.size };
  } finally {
    await call<void>((cb) => sftp.close(handle, (err) => cb(err, undefined)));
  }
}

/** `mkdir -p` over SFTP: creates each missing component. */
async function mkdirp(sftp: SFTPWrapper, dir: string, mode?: number): Promise<void> {
  const parts = posix.normalize(dir).split("/");
  let current = dir.startsWith("/") ? "/" : "";
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    current = current === "" ? part : posix.join(current, part);
    const st = await statOrNull(sftp, current);
    if (st !== null) {
      if (!st.isDirectory()) throw new Error(`${current} exists and is not a directory`);
      continue;
    }
    await call<void>((cb) =>
      sftp.mkdir(current, mode !== undefined ? { mode } : {}, (err) => cb(err, undefined))
    );
  }
}

export async function writeRemoteFile(
  sftp: SFTPWrapper,
  path: string,
  contents: string | Buffer,
  mode?: number
): Promise<void> {
  await mkdirp(sftp, posix.dirname(path));
  await call<void>((cb) => sftp.writeFile(path, contents, (err) => cb(err, undefined)));
  // the server's umask applies at creation and an existing file keeps its mode, so set it explicitly
  if (mode !== undefined) await call<void>((cb) => sftp.chmod(path, mode, (err) => cb(err, undefined)));
}

/** Uploads a local tree, keeping file and directory modes; symlinks are followed, as for local copies. */
export async function uploadTree(sftp: SFTPWrapper, localDir: string, remoteDir: string): Promise<void> {
  const st = await stat(localDir);
  await mkdirp(sftp, remoteDir);
  for (const entry of await readdir(localDir)) {
    const from = join(localDir, entry);
    const to = posix.join(remoteDir, entry);
    const est = await stat(from);
    if (est.isDirectory()) await uploadTree(sftp, from, to);
    else if (est.isFile()) await writeRemoteFile(sftp, to, await readFile(from), est.mode & 0o7777);
  }
  // last, so a read-only directory mode does not stop its own contents being written
  await call<void>((cb) => sftp.chmod(remoteDir, st.mode & 0o7777, (err) => cb(err, undefined)));
}

import { chmod, copyFile, mkdir, open, readdir, stat, writeFile as fsWriteFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DEFAULT_READ_BYTES } from "./result.ts";

function isNotFound(err: unknown): boolean {
  return err instanceof Error && "code" in err && (err.code === "ENOENT" || err.code === "ENOTDIR");
}

/** Reads only the bytes from `offset` on; a missing file reads as empty (followers poll before it exists). */
export async function readLocalFrom(
  path: string,
  offset: number,
  maxBytes = DEFAULT_READ_BYTES
): Promise<{ data: Buffer; size: number }> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (err) {
    if (isNotFound(err)) return { data: Buffer.alloc(0), size: 0 };
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const want = Math.max(0, Math.min(maxBytes, size - offset));
    const data = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await handle.read(data, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { data: data.subarray(0, got), size };
  } finally {
    await handle.close();
  }
}

export async function writeLocalFile(path: string, contents: string | Buffer, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await fsWriteFile(path, contents);
  // the umask applies at creation and an existing file keeps its old mode, so set it explicitly
  if (mode !== undefined) await chmod(path, mode);
}

/**
 * Copies a tree the way the SFTP upload does: symlinks followed, file and directory modes set
 * explicitly (fs.cp leaves directory modes to the umask).
 */
export async function copyLocalDir(localDir: string, targetDir: string): Promise<void> {
  const st = await stat(localDir);
  await mkdir(targetDir, { recursive: true });
  for (const entry of await readdir(localDir)) {
    const from = join(localDir, entry);
    const to = join(targetDir, entry);
    const est = await stat(from);
    if (est.isDirectory()) await copyLocalDir(from, to);
    else if (est.isFile()) {
      await copyFile(from, to);
      await chmod(to, est.mode & 0o7777);
    }
  }
  // last, so a read-only directory mode does not stop its own contents being written
  await chmod(targetDir, st.mode & 0o7777);
}

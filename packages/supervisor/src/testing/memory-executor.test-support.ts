import type { ExecResult, Executor } from "@neoxctl/exec";

interface MemFile {
  data: Buffer;
  mtimeMs: number;
}

/**
 * A cluster's file system in memory, behind the `Executor` interface: enough for what the supervisor
 * does to files (render attempts, follow logs by byte offset, list checkpoints with one `find`).
 * File times come from the test's clock, so checkpoint ages are as deterministic as everything else.
 */
export class MemoryExecutor implements Executor {
  readonly kind = "local" as const;
  readonly target = "memory";
  readonly files = new Map<string, MemFile>();

  constructor(private readonly now: () => number) {}

  async run(argv: readonly string[]): Promise<ExecResult> {
    const [cmd, dir] = argv;
    const ok = (stdout = ""): ExecResult => ({
      command: argv,
      exitCode: 0,
      signal: null,
      stdout,
      stderr: "",
      durationMs: 0
    });
    // directories exist implicitly here
    if (cmd === "mkdir") return ok();
    // the graph's record check: `stat -L -c '%s %n' -- <files>` (missing files print nothing)
    if (cmd === "stat") {
      const files = argv.slice(argv.indexOf("--") + 1);
      return ok(
        files
          .filter((f) => this.files.has(f))
          .map((f) => `${this.files.get(f)!.data.length} ${f}\n`)
          .join("")
      );
    }
    // the checkpoint inspector's listing: `find <dir> -mindepth 1 -maxdepth 3 -printf '%y\t%s\t%T@\t%P\n'`
    if (cmd !== "find" || dir === undefined || argv.at(-1) !== "%y\\t%s\\t%T@\\t%P\\n")
      throw new Error(`memory executor: unsupported command ${JSON.stringify(argv)}`);
    const root = dir.replace(/\/+$/, "") + "/";
    const lines = new Map<string, string>();
    for (const [path, f] of this.files) {
      if (!path.startsWith(root)) continue;
      const parts = path.slice(root.length).split("/");
      for (let i = 1; i < parts.length && i <= 3; i++) {
        const rel = parts.slice(0, i).join("/");
        if (!lines.has(rel)) lines.set(rel, `d\t4096\t${f.mtimeMs / 1000}\t${rel}`);
      }
      if (parts.length <= 3)
        lines.set(parts.join("/"), `f\t${f.data.length}\t${f.mtimeMs / 1000}\t${parts.join("/")}`);
    }
    const stdout = [...lines.values()].map((l) => `${l}\n`).join("");
    return { command: argv, exitCode: lines.size ? 0 : 1, signal: null, stdout, stderr: "", durationMs: 0 };
  }

  async readFrom(
    path: string,
    offset: number,
    maxBytes = 4 * 1024 * 1024
  ): Promise<{ data: Buffer; size: number }> {
    const f = this.files.get(path);
    if (!f) return { data: Buffer.alloc(0), size: 0 };
    return { data: f.data.subarray(offset, offset + maxBytes), size: f.data.length };
  }

  async writeFile(path: string, contents: string | Buffer): Promise<void> {
    this.files.set(path, { data: Buffer.from(contents), mtimeMs: this.now() });
  }

  append(path: string, text: string): void {
    const prev = this.files.get(path)?.data ?? Buffer.alloc(0);
    this.files.set(path, { data: Buffer.concat([prev, Buffer.from(text)]), mtimeMs: this.now() });
  }

  read(path: string): string | undefined {
    return this.files.get(path)?.data.toString("utf8");
  }

  async uploadDir(): Promise<void> {
    throw new Error("memory executor: uploadDir is not used by the supervisor");
  }

  async close(): Promise<void> {}
}

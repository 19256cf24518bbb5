import { performance } from "node:perf_hooks";
import { execa } from "execa";
import { ExecError } from "@neoxctl/core";
import type { ExecOptions, ExecResult, Executor } from "./executor.ts";
import { copyLocalDir, readLocalFrom, writeLocalFile } from "./local-files.ts";
import { checked, normaliseSignal, timedOut } from "./result.ts";

/** Runs commands on this machine, argv straight to exec (never a shell). */
export class LocalExecutor implements Executor {
  readonly kind = "local" as const;
  readonly target = "local";

  async run(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    const [file, ...args] = argv;
    if (file === undefined)
      throw new ExecError("EXEC_FAILED", "empty command: argv needs at least the program name");
    const started = performance.now();
    const child = execa(file, args, {
      reject: false,
      shell: false,
      cwd: options?.cwd,
      env: options?.env,
      // with no input the child sees EOF at once, as it does over SSH
      ...(options?.stdin !== undefined ? { input: options.stdin } : { stdin: "ignore" as const }),
      // its own process group, so a timeout can kill grandchildren too (they would hold the pipes open)
      detached: true,
      stripFinalNewline: false,
      encoding: "utf8"
    });
    let killedByTimeout = false;
    const timer =
      options?.timeoutMs !== undefined
        ? setTimeout(() => {
            killedByTimeout = true;
            if (child.pid !== undefined) {
              try {
                process.kill(-child.pid, "SIGKILL");
              } catch {
                // the group is already gone
              }
            }
          }, options.timeoutMs)
        : undefined;
    const r = await child;
    if (timer) clearTimeout(timer);
    const durationMs = performance.now() - started;
    const spawnFailed = r.exitCode === undefined && r.signal === undefined;
    const result: ExecResult = {
      command: [...argv],
      // a program that cannot be started looks like the shell's "not found" (127), as over SSH
      exitCode: spawnFailed ? 127 : (r.exitCode ?? null),
      signal: normaliseSignal(r.signal),
      stdout: typeof r.stdout === "string" ? r.stdout : "",
      stderr: spawnFailed
        ? `${r.originalMessage ?? r.shortMessage}\n`
        : typeof r.stderr === "string"
          ? r.stderr
          : "",
      durationMs
    };
    if (killedByTimeout && options?.timeoutMs !== undefined)
      throw timedOut(result, options.timeoutMs, this.target);
    return checked(result, options, this.target);
  }

  readFrom(path: string, offset: number, maxBytes?: number): Promise<{ data: Buffer; size: number }> {
    return readLocalFrom(path, offset, maxBytes);
  }

  writeFile(path: string, contents: string | Buffer, mode?: number): Promise<void> {
    return writeLocalFile(path, contents, mode);
  }

  uploadDir(localDir: string, remoteDir: string): Promise<void> {
    return copyLocalDir(localDir, remoteDir);
  }

  async close(): Promise<void> {
    // nothing is held open between calls
  }
}

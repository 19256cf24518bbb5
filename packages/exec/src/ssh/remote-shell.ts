import { performance } from "node:perf_hooks";
import type { Client, ClientChannel } from "ssh2";
import { ExecError } from "@neoxctl/core";
import type { ExecResult } from "../executor.ts";
import { timedOut } from "../result.ts";
import {
  encodeCommand,
  FramedStream,
  goLine,
  newMarker,
  parseStatus,
  serverScript
} from "./shell-framing.ts";
import { channelOpenError, ChannelOpenError } from "./remote-run.ts";

/** The server did not come up (its shell cannot run the script, or it ended first): use exec channels. */
export class ShellUnsupported extends Error {}

/** The shell ended before it was told to run the command: nothing ran, it may go elsewhere. */
export class ShellCommandNotStarted extends Error {}

/** How long the account's start-up files may take before the shell is given up. */
const READY_TIMEOUT_MS = 30_000;

interface Pending {
  marker: string;
  argv: readonly string[];
  started: number;
  outAcked: boolean;
  errAcked: boolean;
  /** the go was written: from here on, a dying shell leaves the outcome open */
  went: boolean;
  out?: Buffer;
  status?: { exitCode: number | null; signal: string | null };
  err?: Buffer;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

/**
 * One long-lived command server on the target (an exec channel running serverScript in the
 * account's shell): the start-up files are read once, not once per command. Runs one command at a
 * time; the pool decides who gets it.
 */
export class RemoteShell {
  private readonly out = new FramedStream();
  private readonly err = new FramedStream();
  private pending: Pending | undefined;
  private ended = false;

  private constructor(
    private readonly stream: ClientChannel,
    private readonly target: string,
    private readonly onEnd: (shell: RemoteShell, whileBusy: boolean) => void
  ) {}

  get alive(): boolean {
    return !this.ended;
  }

  static start(
    client: Client,
    target: string,
    onEnd: (shell: RemoteShell, whileBusy: boolean) => void
  ): Promise<RemoteShell> {
    const ready = newMarker();
    return new Promise((resolve, reject) => {
      const opened = (stream: ClientChannel): void => {
        const shell = new RemoteShell(stream, target, onEnd);
        let outReady = false;
        let errReady = false;
        let settled = false;
        const timer = setTimeout(
          () => fail(`the remote shell did not start within ${READY_TIMEOUT_MS} ms`),
          READY_TIMEOUT_MS
        );
        const fail = (why: string): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          shell.ended = true;
          stream.close();
          reject(new ShellUnsupported(why));
        };
        const check = (): void => {
          outReady ||= shell.out.skipPast(ready);
          errReady ||= shell.err.skipPast(ready);
          if (outReady && errReady && !settled) {
            settled = true;
            clearTimeout(timer);
            resolve(shell);
          }
        };
        stream.on("data", (chunk: Buffer) => {
          shell.out.push(chunk);
          if (settled) shell.advance();
          else check();
        });
        stream.stderr.on("data", (chunk: Buffer) => {
          shell.err.push(chunk);
          if (settled) shell.advance();
          else check();
        });
        stream.once("close", () => {
          fail("the remote shell ended before it was ready");
          shell.died();
        });
      };
      try {
        client.exec(serverScript(ready), (e, stream) => (e ? reject(channelOpenError(e)) : opened(stream)));
      } catch (e) {
        reject(new ChannelOpenError((e as Error).message, false));
      }
    });
  }

  /** Runs one quoted command line; the caller must not run another until this settles. */
  run(argv: readonly string[], line: string, timeoutMs: number | undefined): Promise<ExecResult> {
    if (this.ended || this.pending) {
      return Promise.reject(
        new ExecError("SSH_CONNECT", `internal: remote shell on ${this.target} not idle`)
      );
    }
    return new Promise<ExecResult>((resolve, reject) => {
      const p: Pending = {
        marker: newMarker(),
        argv,
        started: performance.now(),
        outAcked: false,
        errAcked: false,
        went: false,
        resolve,
        reject
      };
      this.pending = p;
      if (timeoutMs !== undefined) {
        p.timer = setTimeout(() => {
          this.pending = undefined;
          // the command may still run (the remote `timeout` ends it); this shell is given up so that
          // its late output cannot be taken for the next command's
          this.close();
          reject(timedOut(this.partial(p), timeoutMs, this.target));
        }, timeoutMs);
      }
      this.stream.write(encodeCommand(p.marker, line));
    });
  }

  private partial(p: Pending): ExecResult {
    return {
      command: [...p.argv],
      exitCode: p.status?.exitCode ?? null,
      signal: p.status?.signal ?? null,
      stdout: (p.out ?? this.out.peek()).toString("utf8"),
      stderr: (p.err ?? this.err.peek()).toString("utf8"),
      durationMs: performance.now() - p.started
    };
  }

  private advance(): void {
    const p = this.pending;
    if (!p) return;
    // the acknowledgements first: whatever precedes them is not this command's output
    p.outAcked ||= this.out.take(p.marker) !== undefined;
    p.errAcked ||= this.err.take(p.marker) !== undefined;
    if (!p.outAcked || !p.errAcked) return;
    if (!p.went) {
      p.went = true;
      this.stream.write(goLine(p.marker));
    }
    if (p.out === undefined) {
      const f = this.out.take(p.marker);
      if (f) {
        p.out = f.body;
        p.status = parseStatus(f.trailer);
      }
    }
    if (p.err === undefined) {
      const f = this.err.take(p.marker);
      if (f) p.err = f.body;
    }
    if (p.out === undefined || p.err === undefined) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    p.resolve(this.partial(p));
  }

  private died(): void {
    if (this.ended && !this.pending) {
      this.onEnd(this, false);
      return;
    }
    this.ended = true;
    const p = this.pending;
    this.pending = undefined;
    if (p && !p.went) {
      clearTimeout(p.timer);
      p.reject(
        new ShellCommandNotStarted(`the remote shell on ${this.target} ended before the command started`)
      );
    } else if (p) {
      clearTimeout(p.timer);
      const result = this.partial(p);
      p.reject(
        new ExecError(
          "SSH_CONNECT",
          `the remote shell on ${this.target} ended while ${p.argv[0] ?? "a command"} ran; it may or may not have completed`,
          { target: this.target, result }
        )
      );
    }
    this.onEnd(this, p !== undefined);
  }

  /** Ends the server: EOF on its input ends the read loop once the current command is done. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.stream.end();
    this.stream.close();
  }
}

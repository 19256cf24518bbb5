import type { SFTPWrapper } from "ssh2";
import { ExecError } from "@neoxctl/core";
import type { ExecOptions, ExecResult, Executor } from "../executor.ts";
import { checked } from "../result.ts";
import { remoteCommandLine } from "../shell-quote.ts";
import { reconnectDelayMs } from "./backoff.ts";
import { ChannelLimit } from "./channel-limit.ts";
import { connectChain } from "./connect.ts";
import type { Chain } from "./connect.ts";
import { describeEndpoint, resolvePlan } from "./plan.ts";
import type { ConnectPlan, SshTarget } from "./plan.ts";
import { channelOpenError, ChannelOpenError, runRemote } from "./remote-run.ts";
import { readRemoteFrom, uploadTree, writeRemoteFile } from "./sftp-files.ts";
import { ShellCommandNotStarted } from "./remote-shell.ts";
import { ShellPool } from "./shell-pool.ts";

/**
 * Channels per connection under OpenSSH's default MaxSessions of 10: the long-lived shells, the
 * exec channels of commands that do not go through a shell, and SFTP's one.
 */
const MAX_SHELLS = 2;
const MAX_CHANNELS = 6;

interface Live {
  chain: Chain;
  shells: ShellPool;
  sftp?: Promise<SFTPWrapper>;
  closed: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One reused SSH connection (through any ProxyJump hops) per executor. Commands run in long-lived
 * remote shells (shell-pool.ts), so the account's start-up files are read once per shell and not
 * once per command; a command with stdin, or any command once shells are unavailable, gets an exec
 * channel of its own. When the connection drops, the next call connects again (after a jittered
 * exponential backoff once attempts fail); a command whose channel could not even open is retried
 * once on the new connection, because nothing ran. A command cut off mid-run is reported as
 * "may or may not have completed", never re-run.
 */
export class SshExecutor implements Executor {
  readonly kind = "ssh" as const;
  readonly target: string;
  private live: Promise<Live> | undefined;
  private fingerprint: string | undefined;
  private connects = 0;
  private failures = 0;
  private nextAttemptAt = 0;
  private readonly limit = new ChannelLimit(MAX_CHANNELS);

  constructor(private readonly plan: ConnectPlan) {
    this.target = describeEndpoint(plan.final);
  }

  static async fromTarget(target: SshTarget): Promise<SshExecutor> {
    return new SshExecutor(await resolvePlan(target));
  }

  /** SHA256 fingerprint of the host key trusted on the last connection (`cluster check` shows it). */
  get hostKeyFingerprint(): string | undefined {
    return this.fingerprint;
  }

  /** How many connections this executor has made (reconnects show up here). */
  get connectionCount(): number {
    return this.connects;
  }

  /** Connects now (otherwise the first call does), surfacing host-key and auth errors early. */
  async connect(): Promise<void> {
    await this.connection();
  }

  private connection(): Promise<Live> {
    if (this.live) return this.live;
    const wait = Math.max(0, this.nextAttemptAt - Date.now());
    const pending = sleep(wait)
      .then(() => connectChain(this.plan))
      .then((chain) => {
        this.connects += 1;
        this.failures = 0;
        this.fingerprint = chain.fingerprint;
        const live: Live = {
          chain,
          shells: new ShellPool(chain.client, this.target, MAX_SHELLS),
          closed: false
        };
        chain.client.once("close", () => {
          live.closed = true;
          live.shells.close();
          for (const hop of chain.hops) hop.end();
          if (this.live === pending) this.live = undefined;
        });
        return live;
      });
    // a failed attempt must not stick: the next call tries afresh, after the backoff
    pending.catch(() => {
      this.failures += 1;
      this.nextAttemptAt = Date.now() + reconnectDelayMs(this.failures);
      if (this.live === pending) this.live = undefined;
    });
    this.live = pending;
    return pending;
  }

  private async withClient<T>(fn: (live: Live) => Promise<T>): Promise<T> {
    const live = await this.connection();
    try {
      return await fn(live);
    } catch (err) {
      if (!(err instanceof ChannelOpenError)) throw err;
      if (err.serverRefused) {
        throw new ExecError(
          "SSH_CONNECT",
          `${this.target} refused to open a channel (${err.message}); its MaxSessions may be below ${MAX_CHANNELS}`,
          { target: this.target }
        );
      }
      // the connection may have died without us noticing yet: drop it and try once more
      this.drop(live);
      try {
        return await fn(await this.connection());
      } catch (again) {
        if (again instanceof ChannelOpenError) {
          throw new ExecError("SSH_CONNECT", `cannot open a channel to ${this.target}: ${again.message}`, {
            target: this.target
          });
        }
        throw again;
      }
    }
  }

  private drop(live: Live): void {
    live.closed = true;
    live.shells.close();
    live.chain.client.end();
    for (const hop of live.chain.hops) hop.end();
    this.live = undefined;
  }

  async run(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    // a shell's stdin is its command stream, so input for the command needs a channel of its own
    const result =
      options?.stdin === undefined
        ? await this.runInShell(argv, options)
        : await this.runInChannel(argv, options);
    return checked(result, options, this.target);
  }

  private runInChannel(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    return this.limit.use(() =>
      this.withClient((live) => runRemote(live.chain.client, argv, options, this.target))
    );
  }

  private async runInShell(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    const line = remoteCommandLine(argv, options ?? {});
    const live = await this.connection();
    const shell = await live.shells.acquire();
    if (shell === null) return this.runInChannel(argv, options);
    try {
      return await shell.run(argv, line, options?.timeoutMs);
    } catch (err) {
      // provably not run (the shell ended before its go): an exec channel, on a new connection if
      // this one is gone, runs it once
      if (err instanceof ShellCommandNotStarted) return this.runInChannel(argv, options);
      throw err;
    } finally {
      live.shells.release(shell);
    }
  }

  private sftp(live: Live): Promise<SFTPWrapper> {
    live.sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      try {
        live.chain.client.sftp((err, sftp) => (err ? reject(channelOpenError(err)) : resolve(sftp)));
      } catch (err) {
        reject(new ChannelOpenError((err as Error).message, false));
      }
    });
    const p = live.sftp;
    p.catch(() => {
      if (live.sftp === p) delete live.sftp;
    });
    return p;
  }

  private async withSftp<T>(what: string, fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    try {
      return await this.withClient(async (live) => fn(await this.sftp(live)));
    } catch (err) {
      if (err instanceof ExecError) throw err;
      throw new ExecError(
        "EXEC_FAILED",
        `${what} on ${this.target} failed: ${(err as Error).message}`,
        { target: this.target },
        { cause: err }
      );
    }
  }

  readFrom(path: string, offset: number, maxBytes?: number): Promise<{ data: Buffer; size: number }> {
    return this.withSftp(`reading ${path}`, (sftp) => readRemoteFrom(sftp, path, offset, maxBytes));
  }

  writeFile(path: string, contents: string | Buffer, mode?: number): Promise<void> {
    return this.withSftp(`writing ${path}`, (sftp) => writeRemoteFile(sftp, path, contents, mode));
  }

  uploadDir(localDir: string, remoteDir: string): Promise<void> {
    return this.withSftp(`uploading ${localDir} to ${remoteDir}`, (sftp) =>
      uploadTree(sftp, localDir, remoteDir)
    );
  }

  async close(): Promise<void> {
    const pending = this.live;
    this.live = undefined;
    if (!pending) return;
    try {
      const live = await pending;
      live.shells.close();
      await new Promise<void>((resolve) => {
        if (live.closed) return resolve();
        live.chain.client.once("close", () => resolve());
        live.chain.client.end();
      });
      for (const hop of live.chain.hops) hop.end();
    } catch {
      // a connection that never came up has nothing to close
    }
  }
}

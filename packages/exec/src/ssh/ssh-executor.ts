import type { SFTPWrapper } from "ssh2";
import { ExecError } from "@neoxctl/core";
import type { ExecOptions, ExecResult, Executor } from "../executor.ts";
import { checked } from "../result.ts";
import { ChannelLimit } from "./channel-limit.ts";
import { connectChain } from "./connect.ts";
import type { Chain } from "./connect.ts";
import { describeEndpoint, resolvePlan } from "./plan.ts";
import type { ConnectPlan, SshTarget } from "./plan.ts";
import { channelOpenError, ChannelOpenError, runRemote } from "./remote-run.ts";
import { readRemoteFrom, uploadTree, writeRemoteFile } from "./sftp-files.ts";

/** Concurrent channels per connection; OpenSSH's default MaxSessions is 10 and SFTP holds one. */
const MAX_CHANNELS = 8;

interface Live {
  chain: Chain;
  sftp?: Promise<SFTPWrapper>;
  closed: boolean;
}

/**
 * One reused SSH connection (through any ProxyJump hops) per executor. When it drops, the next
 * call connects again; a command whose channel could not even open is retried once on the new
 * connection, because nothing ran. A command cut off mid-run is reported, never re-run.
 */
export class SshExecutor implements Executor {
  readonly kind = "ssh" as const;
  readonly target: string;
  private live: Promise<Live> | undefined;
  private fingerprint: string | undefined;
  private connects = 0;
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
    const pending = connectChain(this.plan).then((chain) => {
      this.connects += 1;
      this.fingerprint = chain.fingerprint;
      const live: Live = { chain, closed: false };
      chain.client.once("close", () => {
        live.closed = true;
        for (const hop of chain.hops) hop.end();
        if (this.live === pending) this.live = undefined;
      });
      return live;
    });
    // a failed attempt must not stick: the next call tries afresh
    pending.catch(() => {
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
    live.chain.client.end();
    for (const hop of live.chain.hops) hop.end();
    this.live = undefined;
  }

  async run(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    const result = await this.limit.use(() =>
      this.withClient((live) => runRemote(live.chain.client, argv, options, this.target))
    );
    return checked(result, options, this.target);
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

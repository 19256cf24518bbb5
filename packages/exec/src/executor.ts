/**
 * The one interface both backends (local execa, remote ssh2) implement. Everything above this
 * package (Slurm client, log follower, supervisor) talks to a cluster only through it.
 *
 * Commands are argument arrays, never shell strings: the SSH backend quotes each argument for the
 * remote POSIX shell, so a value containing `$(…)`, backticks, quotes or newlines arrives literally.
 */
export interface ExecOptions {
  /** working directory on the target */
  cwd?: string;
  /** extra environment variables on the target */
  env?: Readonly<Record<string, string>>;
  /** bytes written to the command's stdin */
  stdin?: string;
  /** kill the command after this many milliseconds (ExecError code EXEC_TIMEOUT) */
  timeoutMs?: number;
  /**
   * when false (default) a non-zero exit is returned as a result; when true it throws an ExecError
   * with code EXEC_FAILED carrying the same result in `details`
   */
  check?: boolean;
}

/** The single result shape for both executors. */
export interface ExecResult {
  /** argv as requested */
  command: readonly string[];
  /** exit status, or null if the process was killed by a signal */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

type ExecutorKind = "local" | "ssh";

export interface Executor {
  readonly kind: ExecutorKind;
  /** human label for messages: `local` or `user@host:port` */
  readonly target: string;
  run(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** read a file's bytes from `offset` (for log following); returns empty when the file is shorter */
  readFrom(path: string, offset: number, maxBytes?: number): Promise<{ data: Buffer; size: number }>;
  /** write a file (creating parent directories) */
  writeFile(path: string, contents: string | Buffer, mode?: number): Promise<void>;
  /** copy a local directory tree to `remoteDir` on the target (SFTP for SSH, copy for local) */
  uploadDir(localDir: string, remoteDir: string): Promise<void>;
  close(): Promise<void>;
}

/** Where commands run. A cluster profile's `access` block maps onto this. */
export type ExecTarget =
  | { kind: "local" }
  | {
      kind: "ssh";
      /** host name or a Host alias from the ssh config file */
      host: string;
      port?: number;
      user?: string;
      /** private key file; when absent, the SSH agent (SSH_AUTH_SOCK) is used */
      identityFile?: string;
      /** SSH agent socket (default SSH_AUTH_SOCK); tried as well as identityFile */
      agentSocket?: string;
      /** known_hosts used for strict host-key checking (default ~/.ssh/known_hosts) */
      knownHostsFile?: string;
      /** OpenSSH client config for Host aliases and ProxyJump (default ~/.ssh/config) */
      sshConfigFile?: string;
      keepaliveIntervalMs?: number;
    };

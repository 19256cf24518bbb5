import { performance } from "node:perf_hooks";
import type { Client, ClientChannel } from "ssh2";
import { ExecError } from "@neoxctl/core";
import type { ExecOptions, ExecResult } from "../executor.ts";
import { remoteCommandLine } from "../shell-quote.ts";
import { normaliseSignal, timedOut } from "../result.ts";

/**
 * The channel could not be opened, so nothing ran. `serverRefused` tells a live server saying no
 * (e.g. past MaxSessions: reconnecting would not help) from a connection that is gone.
 */
export class ChannelOpenError extends Error {
  constructor(
    message: string,
    readonly serverRefused: boolean
  ) {
    super(message);
  }
}

/** ssh2 puts the server's numeric reason code on a refusal and none on a dead connection. */
export function channelOpenError(err: Error): ChannelOpenError {
  const reason = (err as Error & { reason?: unknown }).reason;
  return new ChannelOpenError(err.message, typeof reason === "number");
}

function openExec(client: Client, line: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(line, (err, stream) => (err ? reject(channelOpenError(err)) : resolve(stream)));
    } catch (err) {
      // ssh2 throws synchronously when the connection is already gone
      reject(new ChannelOpenError((err as Error).message, false));
    }
  });
}

/** Runs argv on an open connection and collects the same result shape as the local executor. */
export async function runRemote(
  client: Client,
  argv: readonly string[],
  options: ExecOptions | undefined,
  target: string
): Promise<ExecResult> {
  const line = remoteCommandLine(argv, options ?? {});
  const started = performance.now();
  const stream = await openExec(client, line);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let exitCode: number | null = null;
  let signal: string | null = null;
  let exited = false;
  let killedByTimeout = false;

  await new Promise<void>((resolve) => {
    const timer =
      options?.timeoutMs !== undefined
        ? setTimeout(() => {
            killedByTimeout = true;
            // newer sshd delivers the signal; older ones ignore it and the remote `timeout` ends it
            stream.signal("KILL");
            stream.close();
            // sshd answers the close only once the process is gone: do not wait for that
            resolve();
          }, options.timeoutMs)
        : undefined;
    stream.on("data", (chunk: Buffer) => out.push(chunk));
    stream.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    stream.on("exit", (code: number | null, sig?: string) => {
      exited = true;
      exitCode = typeof code === "number" ? code : null;
      signal = normaliseSignal(sig);
    });
    stream.on("close", () => {
      if (timer) clearTimeout(timer);
      resolve();
    });
    if (options?.stdin !== undefined) stream.end(options.stdin);
    else stream.end();
  });

  const result: ExecResult = {
    command: [...argv],
    exitCode,
    signal: killedByTimeout && !exited ? "SIGKILL" : signal,
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    durationMs: performance.now() - started
  };
  if (killedByTimeout && options?.timeoutMs !== undefined) throw timedOut(result, options.timeoutMs, target);
  if (!exited) {
    throw new ExecError(
      "SSH_CONNECT",
      `connection to ${target} was lost while ${argv[0] ?? "a command"} ran; it may or may not have completed`,
      { target, result }
    );
  }
  return result;
}

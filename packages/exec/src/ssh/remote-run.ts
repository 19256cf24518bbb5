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

/** What a channel has delivered; filled by listeners attached the moment the channel exists. */
interface Collected {
  stream: ClientChannel;
  out: Buffer[];
  err: Buffer[];
  exitCode: number | null;
  signal: string | null;
  exited: boolean;
  /** settles on the channel's close */
  closed: Promise<void>;
}

function collect(stream: ClientChannel): Collected {
  const c: Collected = {
    stream,
    out: [],
    err: [],
    exitCode: null,
    signal: null,
    exited: false,
    closed: new Promise<void>((resolve) => stream.once("close", () => resolve()))
  };
  stream.on("data", (chunk: Buffer) => c.out.push(chunk));
  stream.stderr.on("data", (chunk: Buffer) => c.err.push(chunk));
  stream.on("exit", (code: number | null, sig?: string) => {
    c.exited = true;
    c.exitCode = typeof code === "number" ? code : null;
    c.signal = normaliseSignal(sig);
  });
  return c;
}

/**
 * Opens the exec channel with its listeners already attached. They are attached inside ssh2's
 * callback, not after awaiting it: a server that answers at once sends the exec reply, the exit
 * status and the close in one packet burst, and ssh2 emits `exit` while parsing that same read —
 * before any continuation of an `await` runs — so a listener attached later never sees it.
 */
function openExec(client: Client, line: string): Promise<Collected> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(line, (err, stream) => (err ? reject(channelOpenError(err)) : resolve(collect(stream))));
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
  const c = await openExec(client, line);
  const { stream } = c;
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
    void c.closed.then(() => {
      if (timer) clearTimeout(timer);
      resolve();
    });
    if (options?.stdin !== undefined) stream.end(options.stdin);
    else stream.end();
  });

  const result: ExecResult = {
    command: [...argv],
    exitCode: c.exitCode,
    signal: killedByTimeout && !c.exited ? "SIGKILL" : c.signal,
    stdout: Buffer.concat(c.out).toString("utf8"),
    stderr: Buffer.concat(c.err).toString("utf8"),
    durationMs: performance.now() - started
  };
  if (killedByTimeout && options?.timeoutMs !== undefined) throw timedOut(result, options.timeoutMs, target);
  if (!c.exited) {
    throw new ExecError(
      "SSH_CONNECT",
      `connection to ${target} was lost while ${argv[0] ?? "a command"} ran; it may or may not have completed`,
      { target, result }
    );
  }
  return result;
}

import { ExecError } from "@neoxctl/core";

/**
 * Quotes one argument for a POSIX shell. Every argument is single-quoted, even harmless ones: a bare
 * `A=b` in command position would become an assignment, and inside single quotes nothing but `'`
 * is special, so the only rewrite needed is closing the quote, adding an escaped quote and reopening.
 */
export function quoteArg(arg: string): string {
  if (arg.includes("\0")) {
    throw new ExecError(
      "EXEC_FAILED",
      "a command argument contains a NUL byte, which no process can receive",
      {
        argument: arg.replaceAll("\0", "\\0")
      }
    );
  }
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Quotes an argv for a POSIX shell so that the shell hands each element over literally. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map(quoteArg).join(" ");
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The command line sent to a remote shell: `cd -- '<dir>' && env 'K=v' … [timeout -s KILL n] 'argv0' …`.
 * cwd and env travel inside the quoted line because SSH servers commonly refuse `env` requests
 * (AcceptEnv) and have no notion of a working directory.
 */
export function remoteCommandLine(
  argv: readonly string[],
  options: { cwd?: string; env?: Readonly<Record<string, string>>; timeoutMs?: number } = {}
): string {
  if (argv.length === 0)
    throw new ExecError("EXEC_FAILED", "empty command: argv needs at least the program name");
  const parts: string[] = [];
  if (options.cwd !== undefined) parts.push(`cd -- ${quoteArg(options.cwd)} &&`);
  const env = Object.entries(options.env ?? {});
  if (env.length > 0) {
    const bad = env.find(([k]) => !ENV_NAME.test(k));
    if (bad)
      throw new ExecError("EXEC_FAILED", `invalid environment variable name ${JSON.stringify(bad[0])}`);
    parts.push("env", ...env.map(([k, v]) => quoteArg(`${k}=${v}`)));
  }
  // OpenSSH before 9.x ignores channel signal requests, so a timed-out command is also bounded on
  // the remote side (coreutils `timeout`), one second after our own timer gives up on it
  if (options.timeoutMs !== undefined)
    parts.push(`timeout -s KILL ${Math.ceil(options.timeoutMs / 1000) + 1}`);
  parts.push(shellQuote(argv));
  return parts.join(" ");
}

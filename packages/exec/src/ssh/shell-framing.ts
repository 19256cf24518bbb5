import { randomBytes } from "node:crypto";
import { normaliseSignal } from "../result.ts";

/**
 * The wire protocol of the long-lived remote shell (see remote-shell.ts).
 *
 * Input: one line per command, `<marker> <base64 of the command line>\n`. Base64 keeps a command
 * whose quoted arguments contain newlines on one line, so `read -r` takes it whole. The server
 * acknowledges with `\n<marker>+\n` on both streams and runs the command only after a second line,
 * `<marker>\n` (the go), which the client sends on the acknowledgement. So a shell that ends before
 * the client sent the go provably did not run the command (it can be retried elsewhere, as a channel
 * that never opened), and only a shell that ends after it leaves the outcome open.
 * Output: the command's own bytes, then on stdout `\n<marker> <status> [<signal>]\n` and on stderr
 * `\n<marker>\n`. The marker is 128 random bits chosen per command, so no output can contain it by
 * accident, and the leading `\n` makes it start a line even after output without a final newline;
 * stripping exactly that `\n` gives the command's bytes back unchanged.
 */

/** A fresh marker; letters and digits only, so neither shell nor printf treats it specially. */
export function newMarker(): string {
  return `NEOXCTL_${randomBytes(16).toString("hex")}`;
}

export function goLine(marker: string): string {
  return `${marker}\n`;
}

export function encodeCommand(marker: string, line: string): string {
  return `${marker} ${Buffer.from(line, "utf8").toString("base64")}\n`;
}

/**
 * The command server the remote account's shell runs in place of each exec'd command. It starts
 * after the shell's start-up files, so module functions and the environment they set are in place
 * for every command, exactly as for an exec channel. Each command runs in a subshell (its `cd`,
 * `exit` or `exec` cannot touch the server) with stdin from /dev/null, so it never reads the
 * server's own input, which is the next command. POSIX sh syntax: bash, dash, ksh and zsh all run it.
 */
export function serverScript(ready: string): string {
  return [
    `printf '%s\\n' ${ready}`,
    `printf '%s\\n' ${ready} >&2`,
    "while IFS= read -r __neoxctl_l; do",
    '  __neoxctl_m="${__neoxctl_l%% *}"',
    '  __neoxctl_c="$(printf \'%s\' "${__neoxctl_l#* }" | base64 -d)" || __neoxctl_c=false',
    "  printf '\\n%s+\\n' \"$__neoxctl_m\"",
    "  printf '\\n%s+\\n' \"$__neoxctl_m\" >&2",
    "  IFS= read -r __neoxctl_g || break",
    '  [ "$__neoxctl_g" = "$__neoxctl_m" ] || break',
    '  ( eval "$__neoxctl_c" ) </dev/null',
    "  __neoxctl_s=$?",
    "  __neoxctl_k=",
    '  [ "$__neoxctl_s" -gt 128 ] && __neoxctl_k="$(kill -l "$__neoxctl_s" 2>/dev/null)"',
    '  printf \'\\n%s %s %s\\n\' "$__neoxctl_m" "$__neoxctl_s" "$__neoxctl_k"',
    "  printf '\\n%s\\n' \"$__neoxctl_m\" >&2",
    "done"
  ].join("\n");
}

/**
 * Accumulates one output stream of the shell and finds where the current command's bytes end.
 * Bytes that arrive between commands (a background job's late output) come before the next
 * command's acknowledgement and are dropped with it, so they are nobody's output.
 */
export class FramedStream {
  private chunks: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /**
   * When the frame `\n<marker><suffix…>\n` is complete: the bytes before it and the text between
   * the marker and the line's end; the frame is consumed, later bytes are kept.
   */
  take(marker: string): { body: Buffer; trailer: string } | undefined {
    const buf = this.joined();
    const start = buf.indexOf(`\n${marker}`);
    if (start < 0) return undefined;
    const from = start + 1 + marker.length;
    const end = buf.indexOf("\n", from);
    if (end < 0) return undefined;
    const body = buf.subarray(0, start);
    const trailer = buf.subarray(from, end).toString("utf8");
    const rest = buf.subarray(end + 1);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return { body: Buffer.from(body), trailer };
  }

  /** Whatever has arrived so far (for a command cut off mid-run). */
  peek(): Buffer {
    return Buffer.from(this.joined());
  }

  /** Drops everything up to and including the `<ready>\n` line; true once it has been seen. */
  skipPast(ready: string): boolean {
    const buf = this.joined();
    const at = buf.indexOf(`${ready}\n`);
    if (at < 0) return false;
    const rest = buf.subarray(at + ready.length + 1);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return true;
  }
}

/**
 * The status the server printed after the stdout marker (` <n> [SIGNAME]`). A shell reports a
 * command killed by signal n as status 128+n, and `kill -l` names it: that is read as a signal
 * death, as an exec channel reports it (a program that exits 128+n by itself is read the same way).
 */
export function parseStatus(trailer: string): { exitCode: number | null; signal: string | null } {
  const m = /^ (\d+) ?([A-Z][A-Z0-9+-]*)?$/.exec(trailer);
  if (!m) return { exitCode: null, signal: null };
  if (m[2] !== undefined) return { exitCode: null, signal: normaliseSignal(m[2]) };
  return { exitCode: Number(m[1]), signal: null };
}

import {
  exitStatusFor,
  formatSpecIssues,
  safeJson,
  safeText,
  SpecError,
  toNeoxctlError
} from "@neoxctl/core";
import { registerEnvironmentSecrets } from "./secrets.ts";

/**
 * Every byte the CLI prints goes through one of these: secrets (the environment's and anything that
 * looks like a credential) are masked, and control characters from logs, events and error
 * messages are spelled out so no escape sequence reaches the terminal.
 */
export function printText(text: string, stream: NodeJS.WritableStream = process.stdout): void {
  registerEnvironmentSecrets();
  stream.write(safeText(text, { keepLineBreaks: true }));
}

/** One line of text: a line break inside the value is escaped too, so it cannot forge a line. */
export function printLine(text: string, stream: NodeJS.WritableStream = process.stdout): void {
  registerEnvironmentSecrets();
  stream.write(`${safeText(text)}\n`);
}

/** Prints a value as one JSON document (for `--json`). */
export function printJson(value: unknown): void {
  registerEnvironmentSecrets();
  process.stdout.write(safeJson(value, { indent: 2 }) + "\n");
}

/**
 * The boundary every command action runs through: unknown errors become NeoxctlErrors, the
 * process exit status follows the error code (2 for bad input), and `--json` callers get the error
 * as one JSON object on stdout instead of prose on stderr.
 */
export async function runAction(json: boolean, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (raw) {
    const err = toNeoxctlError(raw);
    registerEnvironmentSecrets();
    if (json) {
      process.stdout.write(safeJson({ error: err.toJSON() }) + "\n");
    } else if (err instanceof SpecError) {
      printText(`neoxctl: ${err.message}\n${formatSpecIssues(err.issues)}\n`, process.stderr);
    } else {
      printLine(`neoxctl: ${err.code}: ${err.message}`, process.stderr);
    }
    process.exitCode = exitStatusFor(err.code);
  }
}

import { exitStatusFor, formatSpecIssues, SpecError, toNeoxctlError } from "@neoxctl/core";
import { redactOutput } from "./secrets.ts";

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
    if (json) {
      process.stdout.write(redactOutput(JSON.stringify({ error: err.toJSON() })) + "\n");
    } else if (err instanceof SpecError) {
      process.stderr.write(redactOutput(`neoxctl: ${err.message}\n${formatSpecIssues(err.issues)}\n`));
    } else {
      process.stderr.write(redactOutput(`neoxctl: ${err.code}: ${err.message}\n`));
    }
    process.exitCode = exitStatusFor(err.code);
  }
}

/** Prints a value as one JSON document (for `--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(redactOutput(JSON.stringify(value, null, 2)) + "\n");
}

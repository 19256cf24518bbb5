import { ExecError, SlurmError } from "@neoxctl/core";
import type { ExecResult } from "@neoxctl/exec";

/**
 * Messages Slurm commands print when slurmctld cannot be reached. The supervisor must tell these
 * apart from a rejection: during a controller outage it waits instead of failing runs.
 */
const UNAVAILABLE_PATTERNS = [
  /unable to contact slurm controller/i,
  /connect(ion)? (failure|refused)/i,
  /socket timed out/i,
  /zero bytes were transmitted or received/i,
  /backup controller in standby mode/i,
  /slurm_load_\w+ error: unable to contact/i,
  /could not establish a configuration source/i
];

function looksUnavailable(text: string): boolean {
  return UNAVAILABLE_PATTERNS.some((re) => re.test(text));
}

/** Turns a non-zero exit of a Slurm command into SLURM_UNAVAILABLE or SLURM_REJECTED. */
export function slurmFailure(result: ExecResult): SlurmError {
  const text = `${result.stderr}\n${result.stdout}`.trim();
  const command = result.command.join(" ");
  const details = {
    command: result.command,
    exitCode: result.exitCode,
    stderr: result.stderr.slice(0, 2000)
  };
  const firstLine = text.split("\n").find((l) => l.trim() !== "") ?? `exit status ${String(result.exitCode)}`;
  if (looksUnavailable(text)) {
    return new SlurmError(
      "SLURM_UNAVAILABLE",
      `Slurm controller unreachable (${result.command[0] ?? "?"}): ${firstLine}`,
      details
    );
  }
  return new SlurmError("SLURM_REJECTED", `${command}: ${firstLine}`, details);
}

/** A Slurm command that hangs past its timeout is a controller that does not answer. */
export function fromExecError(err: unknown, argv: readonly string[]): unknown {
  if (err instanceof ExecError && err.code === "EXEC_TIMEOUT") {
    return new SlurmError(
      "SLURM_UNAVAILABLE",
      `${argv[0] ?? "slurm command"} timed out waiting for Slurm`,
      { command: argv },
      { cause: err }
    );
  }
  return err;
}

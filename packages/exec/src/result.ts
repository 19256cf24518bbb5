import { ExecError } from "@neoxctl/core";
import type { ExecOptions, ExecResult } from "./executor.ts";

/** Applies `check: true`: a non-zero exit or a signal becomes EXEC_FAILED carrying the whole result. */
export function checked(result: ExecResult, options: ExecOptions | undefined, target: string): ExecResult {
  if (options?.check !== true || result.exitCode === 0) return result;
  const how =
    result.exitCode === null
      ? `was killed by ${result.signal ?? "a signal"}`
      : `exited with ${result.exitCode}`;
  const stderr = result.stderr.trim();
  const tail = stderr === "" ? "" : `: ${stderr.split("\n").slice(-3).join(" | ")}`;
  throw new ExecError("EXEC_FAILED", `${result.command[0] ?? "command"} on ${target} ${how}${tail}`, {
    target,
    result
  });
}

export function timedOut(result: ExecResult, timeoutMs: number, target: string): ExecError {
  return new ExecError(
    "EXEC_TIMEOUT",
    `${result.command[0] ?? "command"} on ${target} did not finish within ${timeoutMs} ms and was killed`,
    { target, timeoutMs, result }
  );
}

/** Signal names in the form Node uses (`SIGKILL`), whatever the source reported (`KILL`). */
export function normaliseSignal(signal: string | null | undefined): string | null {
  if (signal === null || signal === undefined || signal === "") return null;
  return signal.startsWith("SIG") ? signal : `SIG${signal}`;
}

/** Default and ceiling for one readFrom call: log followers poll often, so each read stays small. */
export const DEFAULT_READ_BYTES = 4 * 1024 * 1024;

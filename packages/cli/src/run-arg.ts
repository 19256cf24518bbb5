import { isRunId, SpecError } from "@neoxctl/core";

/**
 * A run id from argv names Redis keys; one like `r:attempt:1` would read another record as a run.
 * Refused before any store access, without echoing the value.
 */
export function checkRunId(runId: string): string {
  if (!isRunId(runId))
    throw new SpecError("SPEC_INVALID", [
      { path: "<run>", received: "(not shown)", rule: "a run id: 1-80 characters of a-z, 0-9, '.', '_', '-'" }
    ]);
  return runId;
}

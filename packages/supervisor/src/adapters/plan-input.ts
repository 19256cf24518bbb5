import { parsePlanInput } from "@neoxctl/core";
import type { PlanInputData } from "@neoxctl/core";
import type { Run } from "../model.ts";

/**
 * A run's plan input as read back from Redis, validated again. Redis is a trust boundary: whoever
 * can write to it can change the record, and the supervisor builds commands and batch scripts from
 * it, so it gets the same schemas as the YAML it came from (with the run's own directory).
 */
export function planInputOf(run: Pick<Run, "id" | "planInput" | "runDir">): PlanInputData {
  const raw = run.planInput;
  const withDir =
    raw !== null && typeof raw === "object" && !Array.isArray(raw) ? { ...raw, runDir: run.runDir } : raw;
  return parsePlanInput(withDir, `run ${run.id}: planInput read from Redis`);
}

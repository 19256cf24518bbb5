import { isRunId } from "@neoxctl/core";
import type { RunReadModel } from "../model/read-model.ts";

/**
 * A run id from a URL names Redis keys: `<id>:attempt:1` would read an attempt record as a run.
 * It must match the run-id pattern and be a member of the runs set before anything is read.
 */
export async function isKnownRun(model: RunReadModel, id: string): Promise<boolean> {
  if (!isRunId(id)) return false;
  return model.hasRun ? model.hasRun(id) : (await model.getRun(id)) !== undefined;
}

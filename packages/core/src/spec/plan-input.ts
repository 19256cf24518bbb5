import { z } from "zod";
import { SpecError } from "../errors/index.ts";
import { toSpecIssues } from "./zod-issues.ts";
import { RunSpecSchema } from "./run-spec.ts";
import { ClusterProfileSchema } from "./cluster-profile.ts";
import { DataManifestSchema } from "./data.ts";
import { AbsolutePathSchema } from "./paths.ts";

/**
 * Everything the planner renders from. It arrives from the CLI right after the YAML was parsed, and
 * from Redis when the supervisor renders a later attempt: a record anyone with write access to Redis
 * can change, so it goes through the same schemas every time, never trusted because it once passed.
 */
const PlanInputSchema = z
  .object({
    spec: RunSpecSchema,
    profile: ClusterProfileSchema,
    manifest: DataManifestSchema,
    repoRoot: AbsolutePathSchema.optional().describe(
      "the neoxctl checkout (the emulator launcher runs from it)"
    ),
    runDir: AbsolutePathSchema.optional().describe("run directory on the cluster; the job runs there")
  })
  .strict();

export type PlanInputData = z.infer<typeof PlanInputSchema>;

/** Validates a plan input from anywhere; throws SpecError naming each field (`spec.checkpointing.save`). */
export function parsePlanInput(value: unknown, sourceName = "plan input"): PlanInputData {
  const result = PlanInputSchema.safeParse(value);
  if (result.success) return result.data;
  throw new SpecError(
    "SPEC_INVALID",
    toSpecIssues(result.error, { data: value, positionOf: () => undefined }),
    sourceName
  );
}

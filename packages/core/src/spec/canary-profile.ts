import { z } from "zod";
import { SbatchDirectiveSchema } from "./sbatch-directive.ts";
import { SlurmTimeSchema, slurmTimeMinutes } from "./slurm-time.ts";
import { SlurmWordSchema } from "./slurm-word.ts";

const posInt = z.number().int().positive();

function bothTimes(c: { time: unknown; max_time: unknown }): boolean {
  return SlurmTimeSchema.safeParse(c.time).success && SlurmTimeSchema.safeParse(c.max_time).success;
}

/**
 * Where `neoxctl smoke` runs its canary: a partition for short test jobs (LUMI's `dev-g`), with the
 * limits the canary must stay inside. Everything else (image, environment, launch) is the profile's.
 */
export const CanaryProfileSchema = z
  .object({
    partition: SlurmWordSchema.describe("partition for short test jobs (LUMI: dev-g)"),
    max_nodes: posInt
      .max(2, { error: "a canary uses at most 2 nodes" })
      .describe("nodes the canary may use (at most 2, and at most what the partition allows)"),
    time: SlurmTimeSchema.describe("wall time the canary job asks for"),
    max_time: SlurmTimeSchema.describe("the partition's wall-time limit (the canary's time must fit)"),
    extra_directives: z
      .array(SbatchDirectiveSchema)
      .default([])
      .describe("further #SBATCH options for the canary only (e.g. --qos=debug)"),
    source: z.string().optional().describe("where the partition's limits are documented")
  })
  .strict()
  // zod runs an object's refinement even when a field failed: compare only two valid times
  .refine((c) => !bothTimes(c) || slurmTimeMinutes(c.time) <= slurmTimeMinutes(c.max_time), {
    error: "time must not exceed max_time",
    path: ["time"]
  })
  .describe("debug/canary partition for `neoxctl smoke`");

export type CanaryProfile = z.infer<typeof CanaryProfileSchema>;

import { z } from "zod";

const Stamp = { at: z.string(), id: z.string().min(1) };

/** A human's request, queued by the CLI and carried out by whichever supervisor holds the run. */
export const ControlCommandSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("cancel"), ...Stamp }),
  z.object({ kind: z.literal("resume"), ...Stamp }),
  z.object({ kind: z.literal("ack"), ...Stamp }),
  z.object({
    kind: z.literal("rollback"),
    ...Stamp,
    toStep: z.number().int().nonnegative(),
    lrFactor: z.number().positive().optional()
  })
]);
export type ControlCommand = z.output<typeof ControlCommandSchema>;

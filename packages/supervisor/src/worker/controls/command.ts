import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { RunStore } from "../../store/run-store.ts";

/**
 * Who asked: `dashboard:<token name>` or `cli:<local user>`. Optional so commands queued by an
 * older CLI still decode.
 */
export const ActorSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9:._@-]{0,127}$/, "an actor name such as cli:alice or dashboard:oncall");

const Stamp = { at: z.string(), id: z.string().min(1), actor: ActorSchema.optional() };

/** A Slurm node name as `--exclude` takes it: never option-looking, no list or range syntax. */
export const NodeNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a node name such as nid005613");

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
  }),
  z.object({ kind: z.literal("exclude"), ...Stamp, node: NodeNameSchema })
]);
export type ControlCommand = z.output<typeof ControlCommandSchema>;

/** Queues a human's command for the supervisor holding the run (the CLI side of the controls). */
export async function requestControl(
  store: RunStore,
  runId: string,
  cmd: DistributiveOmit<ControlCommand, "at" | "id">
): Promise<ControlCommand> {
  await store.mustGetRun(runId);
  const full = { ...cmd, at: new Date().toISOString(), id: randomUUID() } as ControlCommand;
  await store.redis
    .multi()
    .rpush(store.keys.control(runId), JSON.stringify(full))
    .hincrby(store.keys.manualActions(), `${full.actor ?? "unknown"}\t${full.kind}`, 1)
    .exec();
  return full;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

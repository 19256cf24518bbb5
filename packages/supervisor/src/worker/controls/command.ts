import { randomUUID } from "node:crypto";
import type { RunStore } from "../../store/run-store.ts";

/** A human's request, queued by the CLI and carried out by whichever supervisor holds the run. */
export type ControlCommand =
  | { kind: "cancel"; at: string; id: string }
  | { kind: "resume"; at: string; id: string }
  | { kind: "ack"; at: string; id: string }
  | { kind: "rollback"; at: string; id: string; toStep: number; lrFactor?: number };

/** Queues a human's command for the supervisor holding the run (the CLI side of the controls). */
export async function requestControl(
  store: RunStore,
  runId: string,
  cmd: DistributiveOmit<ControlCommand, "at" | "id">
): Promise<ControlCommand> {
  await store.mustGetRun(runId);
  const full = { ...cmd, at: new Date().toISOString(), id: randomUUID() } as ControlCommand;
  await store.redis.rpush(store.keys.control(runId), JSON.stringify(full));
  return full;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

import { z } from "zod";

/**
 * What a supervisor process says about itself, rewritten on a timer of its own (not by the cycle),
 * so a process whose cycle is stuck keeps writing and its `lastCycleAt` visibly ages: that is how a
 * wedged supervisor is told apart from a dead one (whose record expires).
 */
export const HeartbeatSchema = z.object({
  /** the lease owner string (`host:pid` by default) */
  owner: z.string().min(1),
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  /** when the last cycle finished; null before the first */
  lastCycleAt: z.string().nullable(),
  cycles: z.number().int().nonnegative(),
  pollIntervalMs: z.number().positive(),
  /** cluster → ids of the runs whose leases this process holds there */
  clusters: z.record(z.string(), z.array(z.string())),
  writtenAt: z.string()
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

/** The lease value is `<owner>#<fence>` (LeaseManager); the owner is everything before the last `#`. */
export function leaseOwner(value: string): string {
  const i = value.lastIndexOf("#");
  return i < 0 ? value : value.slice(0, i);
}

/** How long a heartbeat lives without being rewritten: three writes may be missed. */
export function heartbeatTtlMs(pollIntervalMs: number): number {
  return Math.max(3000, 3 * pollIntervalMs);
}

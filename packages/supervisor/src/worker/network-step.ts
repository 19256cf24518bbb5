import { NetworkProfileSchema } from "@neoxctl/core";
import type { NetworkProfile } from "@neoxctl/core";
import type { Attempt } from "../model.ts";
import type { AttemptObserver } from "../observe/attempt-observer.ts";
import { transportFallback } from "../observe/transport-check.ts";
import type { Committer, RunCycle } from "./cycle.ts";
import { noteOps } from "./transition.ts";

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The profile's `network` section from the run's stored plan input, checked with its own schema only:
 * this runs every cycle of a watched attempt, and the whole plan input (a manifest of hundreds of
 * datasets) is validated where attempts are rendered. Null when it does not parse: no check.
 */
function expectedNetwork(c: RunCycle): NetworkProfile | null {
  const input = c.run.planInput;
  const profile = isRecord(input) ? input["profile"] : undefined;
  const raw = isRecord(profile) ? (profile["network"] ?? {}) : {};
  const parsed = NetworkProfileSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * The network check: once any rank's log says RCCL picked sockets (or the wrong libfabric provider)
 * where the profile expects the Slingshot plugin, one `rccl_socket_fallback` warning per attempt,
 * alerted; nothing else changes (the throughput guard judges the speed on its own).
 */
export async function checkNetwork(
  deps: Committer,
  c: RunCycle,
  attempt: Attempt,
  o: AttemptObserver
): Promise<void> {
  const reading = o.obs.rccl;
  if (reading === undefined) return;
  const key = `rccl_socket_fallback:${attempt.index}`;
  if (c.run.noted.includes(key)) return;
  const expected = expectedNetwork(c);
  if (expected === null) return;
  const found = transportFallback(expected, reading);
  if (found === null) return;
  c.run.noted.push(key);
  await deps.commit(
    c,
    noteOps(deps.store, c.run, {
      type: "rccl_socket_fallback",
      cause: `attempt ${attempt.index}: ${found.cause}`,
      evidence: {
        logLines: found.lines,
        nodes: found.nodes,
        ...(attempt.jobId ? { jobId: attempt.jobId } : {}),
        detail: {
          attempt: attempt.index,
          transport: reading.transport,
          networks: reading.networks,
          provider: reading.provider,
          expectedTransport: expected.expected_transport,
          ...(expected.expected_provider !== undefined
            ? { expectedProvider: expected.expected_provider }
            : {}),
          pluginMissingNodes: reading.pluginMissingNodes
        }
      },
      at: c.now,
      attempt: attempt.index
    })
  );
}

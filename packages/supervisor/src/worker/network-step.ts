import type { NetworkProfile } from "@neoxctl/core";
import type { Attempt } from "../model.ts";
import { planInputOf } from "../adapters/plan-input.ts";
import type { AttemptObserver } from "../observe/attempt-observer.ts";
import { transportFallback } from "../observe/transport-check.ts";
import type { Committer, RunCycle } from "./cycle.ts";
import { noteOps } from "./transition.ts";

function expectedNetwork(c: RunCycle): NetworkProfile | null {
  try {
    return planInputOf(c.run).profile.network;
  } catch {
    // an unreadable plan input is reported where attempts are rendered; no check without it
    return null;
  }
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

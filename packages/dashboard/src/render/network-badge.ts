import type { RunSummary } from "../model/read-model.ts";
import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";

/**
 * The network warning next to a run's state: RCCL chose TCP sockets (or the wrong libfabric provider)
 * where the cluster profile expects the Slingshot plugin (`rccl_socket_fallback`). Kept for later
 * attempts, which do not log RCCL's choice: the environment that caused it has not changed.
 */
export function rcclBadge(run: RunSummary): SafeHtml {
  const a = run.rcclFallbackAttempt;
  if (a === undefined) return html``;
  return html` <span
    class="badge rccl-socket"
    data-rccl-fallback="${a}"
    title="RCCL is not on the OFI plugin (attempt ${a}): collectives over TCP sockets; see the run's events"
    >RCCL on sockets</span
  >`;
}

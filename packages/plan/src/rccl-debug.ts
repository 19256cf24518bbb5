import type { NetworkProfile } from "@neoxctl/core";

/**
 * RCCL's debug settings for one attempt. With `NCCL_DEBUG=INFO` RCCL prints its network choice
 * (`Using network AWS Libfabric` / `Using network Socket`, INIT subsystem; the plugin's `NET/OFI …` and
 * the socket transport's `NET/Socket …` lines, NET subsystem), which the monitor reads to check the
 * transport. `NCCL_DEBUG_SUBSYS=INIT,NET` keeps the rest of INFO out (per-collective tuning, graph
 * search); WARN lines are never filtered by subsystem. Where the check does not run, `NCCL_DEBUG=WARN`
 * keeps RCCL's error reports (which the monitor reads as node errors) without the INFO volume: every
 * rank prints its own lines, so a 512-rank start logs the selection 512 times.
 */
export function rcclDebugEnv(network: NetworkProfile, attemptIndex: number): Record<string, string> {
  const info = { NCCL_DEBUG: "INFO", NCCL_DEBUG_SUBSYS: "INIT,NET" };
  const warn = { NCCL_DEBUG: "WARN" };
  switch (network.log_selection) {
    case "every_attempt":
      return info;
    case "first_attempt":
      return attemptIndex === 1 ? info : warn;
    case "never":
      return warn;
  }
}

import type { NetworkProfile } from "@neoxctl/core";
import type { RcclTransportReading } from "@neoxctl/monitor";

/** RCCL is on another transport than the profile expects: what the warning says. */
export interface TransportFallback {
  cause: string;
  /** nodes whose ranks chose sockets (empty when the mismatch is the provider) */
  nodes: string[];
  lines: string[];
}

/**
 * Whether RCCL's choice, as read so far, falls short of what the profile expects. Only an expected
 * `ofi` is checked: the plugin is the one thing a missing module or bind silently takes away (RCCL
 * then uses TCP sockets; OLCF: it "defaults to … TCP/IP sockets"), and the plugin over a provider other
 * than the expected one (libfabric's tcp instead of cxi) is as slow. Null while nothing contradicts it.
 */
export function transportFallback(
  expected: NetworkProfile,
  reading: RcclTransportReading | undefined
): TransportFallback | null {
  if (expected.expected_transport !== "ofi" || reading === undefined) return null;
  const { transport, provider } = reading;
  if (transport !== null && transport !== "ofi") {
    const where = reading.socketNodes.length > 0 ? ` on ${reading.socketNodes.join(",")}` : "";
    const missing =
      reading.pluginMissingNodes.length > 0
        ? `; no plugin library found (librccl-net.so not on LD_LIBRARY_PATH) on ${reading.pluginMissingNodes.join(",")}`
        : "";
    return {
      cause: `RCCL chose ${reading.networks.join(" and ")}${where}, not the OFI plugin the profile expects${missing}: inter-node collectives run over TCP, several times slower. Load the plugin's module (LUMI: the Singularity AI bindings; Frontier: rccl-net-plugin) and restart; training goes on meanwhile`,
      nodes: reading.socketNodes,
      lines: reading.evidence
    };
  }
  if (
    expected.expected_provider !== undefined &&
    provider !== null &&
    provider !== expected.expected_provider
  )
    return {
      cause: `RCCL's OFI plugin selected libfabric provider ${provider}, not ${expected.expected_provider} as the profile expects: the high-speed NICs are not in use (libcxi or the CXI devices not visible to the ranks?); training goes on meanwhile`,
      nodes: [],
      lines: reading.evidence
    };
  return null;
}

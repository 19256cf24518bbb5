import type { LogEvent, RcclNetLine } from "../events.ts";
import { stripLinePrefixes } from "./rank-prefix.ts";

/**
 * RCCL's (and NCCL's) INFO lines that say which network the communicator uses. They carry the debug
 * prefix `host:pid:tid [dev] NCCL INFO ` (RCCL keeps NCCL's word), so they need `NCCL_DEBUG=INFO`;
 * all of them are logged under the INIT or NET subsystem, so `NCCL_DEBUG_SUBSYS=INIT,NET` keeps them.
 * Formats, from the sources (fixtures in `__fixtures__/rccl/README.md`):
 * - `Using network <name>` — the decision (ROCm/rccl src/init.cc `INFO(NCCL_INIT, "Using network %s", …)`);
 *   `<name>` is the plugin's own name (`AWS Libfabric` for ROCm/aws-ofi-rccl, `Libfabric` for
 *   newer aws-ofi-nccl), `Socket` or `IB` for RCCL's internal transports.
 * - `NET/OFI Selected Provider is <prov>` (older plugin) or `… Selected provider is <prov>, fabric is …
 *   (found N nics)` — the libfabric provider the plugin took (`cxi` on Slingshot).
 * - `NET/Socket : Using [0]hsn0:10.1.2.3<0> [1]…` — the interfaces the socket transport opened.
 * - `NET/Plugin: Loaded net plugin <name> (vN)`, `NET/Plugin: No plugin found (librccl-net.so)`,
 *   `NET/Plugin: Using internal network plugin.` — whether the plugin library was found at all
 *   (ROCm/rccl src/net.cc). A loaded plugin whose provider fails to start is skipped silently, so
 *   only `Using network` decides.
 */
const HOST = "[A-Za-z][\\w.-]*";
const INFO = new RegExp(`^\\s*(?:(${HOST}):\\d+:\\d+ \\[\\d+\\] )?(?:\\S+:\\d+ )?NCCL INFO (.*)$`);

interface Found {
  what: RcclNetLine;
  value: string;
}

function classify(message: string): Found | null {
  let m = /^Using network (.+?)\s*$/.exec(message);
  if (m?.[1] !== undefined) return { what: "network", value: m[1] };
  m = /^NET\/OFI Selected [Pp]rovider is ([^\s,]+)/.exec(message);
  if (m?.[1] !== undefined) return { what: "ofi_provider", value: m[1] };
  m = /^NET\/Socket ?: Using (\[\d+\].*?)\s*$/.exec(message);
  if (m?.[1] !== undefined) return { what: "socket_interfaces", value: m[1] };
  m = /^NET\/Plugin ?: Loaded net plugin (.+?)(?: \(v\d+\))?\s*$/.exec(message);
  if (m?.[1] !== undefined) return { what: "plugin_loaded", value: m[1] };
  m = /^NET\/Plugin ?: No plugin found \((.+?)\)/.exec(message);
  if (m?.[1] !== undefined) return { what: "plugin_missing", value: m[1] };
  if (/^NET\/Plugin ?: Using internal network plugin/.test(message))
    return { what: "plugin_missing", value: "internal" };
  return null;
}

export function parseRcclNetLine(line: string): LogEvent | null {
  if (!line.includes("NCCL INFO")) return null;
  const m = INFO.exec(stripLinePrefixes(line));
  if (!m || m[2] === undefined) return null;
  const found = classify(m[2]);
  if (!found) return null;
  return { kind: "rccl_net", what: found.what, value: found.value, node: m[1] ?? null, message: line.trim() };
}

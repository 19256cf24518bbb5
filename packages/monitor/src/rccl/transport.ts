import type { LogEvent } from "../parse/events.ts";
import { parseRcclNetLine } from "../parse/text/rccl-net-lines.ts";

/**
 * The inter-node transport RCCL chose: `ofi` (a libfabric network plugin, aws-ofi-rccl / aws-ofi-nccl:
 * Slingshot's CXI on LUMI and Frontier), `socket` (RCCL's internal TCP transport: the silent fallback
 * when the plugin is not found or cannot start), `ib` (RCCL's internal InfiniBand verbs), `other`
 * (a plugin of another name).
 */
export type RcclTransport = "ofi" | "socket" | "ib" | "other";

/** How bad a transport is for a Slingshot cluster, worst first: the reading keeps the worst any rank chose. */
const RANK: Readonly<Record<RcclTransport, number>> = { socket: 0, other: 1, ib: 2, ofi: 3 };

export interface RcclTransportReading {
  /** the worst transport any rank's `Using network` line named; null when no rank printed one */
  transport: RcclTransport | null;
  /** every network name as RCCL printed it (`AWS Libfabric`, `Socket`, …), first seen first */
  networks: string[];
  /** the libfabric provider the OFI plugin selected (`cxi`, `tcp`, …), when it said */
  provider: string | null;
  /** hosts whose ranks chose sockets (from the debug prefix), sorted */
  socketNodes: string[];
  /** hosts whose ranks reported no plugin library, sorted */
  pluginMissingNodes: string[];
  /** up to EVIDENCE_LINES lines that show the choice: the socket lines first when a rank chose sockets */
  evidence: string[];
}

const EVIDENCE_LINES = 6;

/** RCCL's network name → transport (plugin names from ROCm/aws-ofi-rccl and aws/aws-ofi-nccl) */
export function transportOfNetwork(name: string): RcclTransport {
  if (/libfabric|\bofi\b/i.test(name)) return "ofi";
  if (/^socket$/i.test(name)) return "socket";
  if (/^ib$/i.test(name)) return "ib";
  return "other";
}

type RcclNetEvent = Extract<LogEvent, { kind: "rccl_net" }>;

/**
 * Folds RCCL's network lines, in log order, into one reading. Keeps only a handful of lines: every
 * rank prints its own, and a 512-rank job's log has thousands.
 */
export class RcclTransportReader {
  private transport: RcclTransport | null = null;
  private readonly networks: string[] = [];
  private provider: string | null = null;
  private readonly socketNodes = new Set<string>();
  private readonly missingNodes = new Set<string>();
  private readonly socketEvidence: string[] = [];
  private readonly otherEvidence: string[] = [];
  /** whether any RCCL network line was seen */
  seen = false;

  /** Feeds one raw line; returns whether it was an RCCL network line. */
  pushLine(line: string): boolean {
    const ev = parseRcclNetLine(line);
    if (ev?.kind !== "rccl_net") return false;
    this.push(ev);
    return true;
  }

  /** Feeds one parsed `rccl_net` event (its `message` is kept as evidence). */
  push(ev: RcclNetEvent): void {
    this.seen = true;
    switch (ev.what) {
      case "network": {
        const t = transportOfNetwork(ev.value);
        if (!this.networks.includes(ev.value)) this.networks.push(ev.value);
        if (this.transport === null || RANK[t] < RANK[this.transport]) this.transport = t;
        if (t === "socket") {
          if (ev.node !== null) this.socketNodes.add(ev.node);
          this.keep(this.socketEvidence, ev.message);
        } else this.keep(this.otherEvidence, ev.message);
        return;
      }
      case "ofi_provider":
        this.provider ??= ev.value;
        this.keep(this.otherEvidence, ev.message);
        return;
      case "socket_interfaces":
        this.keep(this.socketEvidence, ev.message);
        return;
      case "plugin_missing":
        if (ev.node !== null) this.missingNodes.add(ev.node);
        this.keep(this.socketEvidence, ev.message);
        return;
      case "plugin_loaded":
        this.keep(this.otherEvidence, ev.message);
        return;
    }
  }

  /** one line per kind of message is enough evidence; the same line from 512 ranks is not */
  private keep(into: string[], line: string): void {
    const body = line.replace(/^.*?NCCL INFO /, "");
    if (into.length >= EVIDENCE_LINES || into.some((l) => l.replace(/^.*?NCCL INFO /, "") === body)) return;
    into.push(line);
  }

  reading(): RcclTransportReading {
    const evidence =
      this.transport === "socket"
        ? [...this.socketEvidence, ...this.otherEvidence]
        : [...this.otherEvidence, ...this.socketEvidence];
    return {
      transport: this.transport,
      networks: [...this.networks],
      provider: this.provider,
      socketNodes: [...this.socketNodes].sort(),
      pluginMissingNodes: [...this.missingNodes].sort(),
      evidence: evidence.slice(0, EVIDENCE_LINES)
    };
  }
}

/**
 * Which transport RCCL chose, read from a job's log lines (any launcher or logger prefix the parser
 * tolerates). `transport` is null when no rank printed its `Using network` line: RCCL was not run with
 * `NCCL_DEBUG=INFO` (and the INIT subsystem), or no communicator has been created yet.
 */
export function readRcclTransport(lines: Iterable<string>): RcclTransportReading {
  const reader = new RcclTransportReader();
  for (const line of lines) reader.pushLine(line);
  return reader.reading();
}

import { SlurmError } from "@neoxctl/core";
import { parseSlurmJson, throwOnJsonErrors } from "./parse-squeue.ts";
import { isRecord, readSlurmNumber, readString } from "./slurm-values.ts";

/** Node availability as a scheduler client needs it. */
export type NodeAvailability = "idle" | "mixed" | "allocated" | "completing" | "drain" | "down" | "other";

export interface NodeInfo {
  name: string;
  availability: NodeAvailability;
  /** Slurm's words, e.g. `idle+DRAIN`, `down` */
  rawState: string;
  reason: string | null;
  partitions: string[];
  cpus: number | null;
}

function availability(tokens: readonly string[]): NodeAvailability {
  const has = (t: string): boolean => tokens.includes(t);
  if (has("DOWN") || has("NOT_RESPONDING") || has("FAIL")) return "down";
  if (has("DRAIN") || has("DRAINED") || has("DRAINING")) return "drain";
  if (has("COMPLETING")) return "completing";
  if (has("MIXED")) return "mixed";
  if (has("ALLOCATED")) return "allocated";
  if (has("IDLE")) return "idle";
  return "other";
}

/**
 * `sinfo --json`: 22.05 has `state: "idle"` + `state_flags: ["DRAIN"]`; later versions
 * `state: ["IDLE","DRAIN"]`. Both become the same token list.
 */
export function parseSinfoNodes(text: string): NodeInfo[] {
  const doc = parseSlurmJson(text, "sinfo --json");
  throwOnJsonErrors(doc, "sinfo --json");
  if (!Array.isArray(doc.nodes)) throw new SlurmError("SLURM_PARSE", "sinfo --json without a nodes list", {});
  return doc.nodes.filter(isRecord).map((n) => {
    const base = Array.isArray(n.state) ? n.state : [n.state];
    const flags = Array.isArray(n.state_flags) ? n.state_flags : [];
    const tokens = [...base, ...flags]
      .filter((t): t is string => typeof t === "string")
      .map((t) => t.toUpperCase());
    const cpus = readSlurmNumber(n.cpus);
    return {
      name: readString(n.name) ?? "",
      availability: availability(tokens),
      rawState: tokens.map((t, i) => (i === 0 ? t.toLowerCase() : t)).join("+"),
      reason: readString(n.reason),
      partitions: Array.isArray(n.partitions)
        ? n.partitions.filter((p): p is string => typeof p === "string")
        : [],
      cpus: typeof cpus === "number" ? cpus : null
    };
  });
}

export interface PartitionInfo {
  name: string;
  isDefault: boolean;
  available: boolean;
  nodeCount: number;
  timeLimit: string;
  nodes: string;
}

/** `sinfo -h -o %P|%a|%D|%l|%N` */
export const SINFO_PARTITION_FORMAT = "%P|%a|%D|%l|%N";

export function parsePartitions(text: string): PartitionInfo[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [p = "", a = "", d = "0", t = "", n = ""] = l.split("|");
      return {
        name: p.replace(/\*$/, ""),
        isDefault: p.endsWith("*"),
        available: a === "up",
        nodeCount: Number(d) || 0,
        timeLimit: t,
        nodes: n
      };
    });
}

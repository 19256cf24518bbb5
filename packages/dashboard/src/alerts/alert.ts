/** What the dashboard alerts on. */
export const ALERT_KINDS = [
  "needs_attention",
  "failed",
  "rollback",
  "node_failures",
  "slowdown",
  "node_suspect",
  "rccl_socket_fallback"
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  kind: AlertKind;
  runId: string;
  runName: string;
  /** one line saying what happened and why */
  summary: string;
  /** extra facts (step, nodes, LR) shown as fields */
  facts: Record<string, string>;
}

export function alertTitle(kind: AlertKind): string {
  switch (kind) {
    case "needs_attention":
      return "needs attention";
    case "failed":
      return "failed";
    case "rollback":
      return "rolled back after a loss spike";
    case "node_failures":
      return "repeated node failures";
    case "slowdown":
      return "training slower than its baseline";
    case "node_suspect":
      return "node suspected of slowing training";
    case "rccl_socket_fallback":
      return "RCCL fell back to TCP sockets";
  }
}

import type { Severity } from "@neoxctl/core";

/** What the dashboard alerts on. */
export const ALERT_KINDS = [
  "needs_attention",
  "failed",
  "rollback",
  "node_failures",
  "slowdown",
  "node_suspect",
  "rccl_socket_fallback",
  "cancelled"
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
    case "cancelled":
      return "cancelled by a human";
  }
}

/** How urgent each kind is: routes with a minimum severity filter on it. */
export function alertSeverity(kind: AlertKind): Severity {
  switch (kind) {
    case "needs_attention":
    case "failed":
      return "critical";
    case "rollback":
    case "node_failures":
    case "slowdown":
    case "rccl_socket_fallback":
      return "warning";
    case "node_suspect":
    case "cancelled":
      return "info";
  }
}

/**
 * Alerts a run can get over without a human: when it trains on past the step it was at, the
 * notifier sends a "resolved" message to where the alert went.
 */
export function resolvesByItself(kind: AlertKind): boolean {
  switch (kind) {
    case "rollback":
    case "node_failures":
    case "slowdown":
    case "node_suspect":
      return true;
    case "needs_attention":
    case "failed":
    case "cancelled":
      return false;
    case "rccl_socket_fallback":
      // the environment that chose sockets does not change by itself
      return false;
  }
}

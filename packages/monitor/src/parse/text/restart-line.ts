import type { LogEvent } from "../events.ts";

/**
 * The lines a neoxctl batch script with spare nodes prints when a node of the training step failed
 * (packages/plan spare-launch.ts):
 * `neoxctl-restart: in-job restart K/MAX on <nodes> without <lost> from <where>` when it starts the
 * step again on a spare, and `neoxctl-restart: node failure on <lost>, <why> (K/MAX in-job restarts);
 * ending the job` when it cannot (no spare left, or the cap reached).
 */
const RESTART = /^neoxctl-restart: in-job restart (\d+)\/(\d+) on (\S+) without (\S+) from (.+)$/;
const GIVE_UP =
  /^neoxctl-restart: node failure on (\S+), (.+) \((\d+)\/(\d+) in-job restarts\); ending the job$/;

const list = (s: string | undefined): string[] => (s ?? "").split(",").filter((n) => n !== "");

export function parseRestartLine(line: string): LogEvent | null {
  const text = line.trim();
  const r = RESTART.exec(text);
  if (r)
    return {
      kind: "in_job_restart",
      restart: Number(r[1]),
      max: Number(r[2]),
      nodes: list(r[3]),
      lost: list(r[4]),
      from: r[5] ?? "",
      message: text
    };
  const g = GIVE_UP.exec(text);
  if (g)
    return {
      kind: "in_job_restart_refused",
      lost: list(g[1]),
      why: g[2] ?? "",
      restart: Number(g[3]),
      max: Number(g[4]),
      message: text
    };
  return null;
}

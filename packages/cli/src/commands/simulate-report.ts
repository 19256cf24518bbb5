import { GOODPUT_CATEGORIES, LOSS_CAUSES } from "@neoxctl/supervisor";
import type { GoodputCategory, LossCause, SimPolicy, SimReport } from "@neoxctl/supervisor";

const POLICY_LABEL: Readonly<Record<SimPolicy, string>> = {
  neoxctl: "neoxctl",
  human: "human on call",
  slurm: "Slurm requeue alone"
};

const CAUSE_LABEL: Readonly<Record<LossCause, string>> = {
  start: "first queue wait and startup",
  planned: "planned continuations (startup)",
  checkpoint: "checkpoint saves",
  node: "node failures",
  crash: "application crashes",
  hang: "hangs",
  spike: "loss spikes (rollbacks)",
  limit: "time limits"
};

const KIND_LABEL: Readonly<Record<GoodputCategory, string>> = {
  productive: "productive training",
  queue: "queue waits",
  startup: "job startups",
  checkpoint: "checkpoint saves",
  recompute: "steps recomputed after a failure",
  detection: "detection delay",
  rollback: "steps discarded by rollbacks",
  human_wait: "waiting for a human",
  // the simulator runs training alone, so this row stays at zero
  workflow_steps: "job graph steps (not simulated)"
};

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const h = (x: number): string => x.toFixed(1);
const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

/** What the spares cost and did: they are billed the whole time, in use only after a node failure. */
function spareLines(r: SimReport): string[] {
  const withSpares = r.policies.filter((p) => p.spareNodes > 0);
  if (withSpares.length === 0) return [];
  return [
    "",
    ...withSpares.map(
      (p) =>
        `${POLICY_LABEL[p.policy]} with ${p.spareNodes} spare node${p.spareNodes === 1 ? "" : "s"} per job: ${p.inJobRestarts.toFixed(1)} node failures per run handled in the job (no queue wait); GPU-hours held ${p.heldGpuH.toFixed(0)}, of which the spares' ${p.spareGpuH.toFixed(0)} (${pct(p.spareGpuH / Math.max(1, p.heldGpuH))}, billed while idle)`
    )
  ];
}

/** The text form of `neoxctl simulate`. */
export function renderSimReport(name: string, r: SimReport): string {
  const run = r.run;
  const m = r.model;
  const lines: string[] = [];
  lines.push(
    `${name}: ${r.seeds} simulated runs per policy`,
    `  ${run.train_iters} steps × ${run.step_s} s on ${run.nodes} nodes (${run.nodes * run.gpus_per_node} GPUs); checkpoint every ${run.checkpoint_factor} steps (${h((run.checkpoint_factor * run.step_s) / 3600)} h), save ${run.save_s} s, startup ${run.startup_s} s, jobs of ${h(run.limit_s / 3600)} h`,
    `  failures: node MTBF ${m.node_mtbf_h} h per node, crashes every ${m.crash_mtbf_h} node-h, hangs every ${m.hang_mtbf_h} node-h, ${m.spikes_per_1000_steps} spikes per 1,000 steps (${pct(m.spike_self_recover)} recover by themselves); queue wait ${m.queue_wait_h} h, human delay ${m.human_delay_h} h (means)`,
    "",
    `${pad("effective training time", 24)}${lpad("mean", 8)}${lpad("p5", 8)}${lpad("p10", 8)}${lpad("p50", 8)}${lpad("p95", 8)}${lpad("wall h", 9)}${lpad("interrupts", 12)}${lpad("human", 8)}`
  );
  for (const p of r.policies)
    lines.push(
      `${pad(POLICY_LABEL[p.policy], 24)}${lpad(pct(p.ett.mean), 8)}${lpad(pct(p.ett.p5), 8)}${lpad(pct(p.ett.p10), 8)}${lpad(pct(p.ett.p50), 8)}${lpad(pct(p.ett.p95), 8)}${lpad(h(p.wallH.mean), 9)}${lpad(p.interruptions.toFixed(1), 12)}${lpad(p.humanInterventions.toFixed(1), 8)}`
    );
  lines.push(...spareLines(r));
  lines.push("", `lost per run, wall h / GPU-h held (mean)`);
  lines.push(`${pad("", 34)}${r.policies.map((p) => lpad(POLICY_LABEL[p.policy], 22)).join("")}`);
  for (const c of LOSS_CAUSES)
    lines.push(
      `${pad(CAUSE_LABEL[c], 34)}${r.policies.map((p) => lpad(`${h(p.lostByCause[c].wallH)} / ${p.lostByCause[c].gpuH.toFixed(0)}`, 22)).join("")}`
    );
  lines.push("", "where the wall clock goes, h per run (mean)");
  lines.push(`${pad("", 34)}${r.policies.map((p) => lpad(POLICY_LABEL[p.policy], 22)).join("")}`);
  for (const k of GOODPUT_CATEGORIES)
    lines.push(`${pad(KIND_LABEL[k], 34)}${r.policies.map((p) => lpad(h(p.splitH[k]), 22)).join("")}`);
  lines.push("", "checkpoint interval (neoxctl)       mean      p5     p10");
  for (const row of r.sweep)
    lines.push(
      `${pad(`${row.checkpointFactor} steps (${row.intervalH.toFixed(2)} h)`, 32)}${lpad(pct(row.ett.mean), 8)}${lpad(pct(row.ett.p5), 8)}${lpad(pct(row.ett.p10), 8)}${row === r.recommended ? "  ← recommended" : ""}`
    );
  if (r.young)
    lines.push(
      `Young/Daly for a run-level MTBF of ${h(r.young.mtbfS / 3600)} h: ${r.young.optimalIters} steps (${(r.young.optimalS / 3600).toFixed(2)} h)`
    );
  return lines.join("\n") + "\n";
}

import type { ShareRow } from "./data-mix.ts";
import { spareNodes } from "./spares.ts";
import type { Plan } from "./types.ts";
import { estimateLines } from "./estimate/estimate-summary.ts";

function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function tokens(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(2)}T`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  return int(n);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function table(rows: readonly ShareRow[], label: string): string[] {
  const w = Math.max(label.length, ...rows.map((r) => r.key.length));
  return [
    `  ${label.padEnd(w)}  ${"available".padStart(10)}  ${"trained".padStart(10)}  ${"share".padStart(8)}  ${"epochs".padStart(7)}`,
    ...rows.map(
      (r) =>
        `  ${r.key.padEnd(w)}  ${tokens(r.tokens).padStart(10)}  ${tokens(r.sampledTokens).padStart(10)}  ${pct(r.share).padStart(8)}  ${r.epochs.toFixed(2).padStart(7)}`
    )
  ];
}

/** What the run checks of RCCL's transport (profile `network`), in one line. */
function networkLine(plan: Plan): string {
  const n = plan.profile.network;
  const logged =
    n.log_selection === "first_attempt"
      ? "attempt 1 logs RCCL's network choice"
      : n.log_selection === "every_attempt"
        ? "every attempt logs RCCL's network choice"
        : "RCCL's network choice is not logged";
  switch (n.expected_transport) {
    case "ofi":
      return `  network     expects RCCL on the OFI plugin${n.expected_provider !== undefined ? ` (${n.expected_provider})` : ""}, warns on a socket fallback; ${logged}`;
    case "socket":
      return `  network     expects RCCL on TCP sockets; ${logged}`;
    case "any":
      return `  network     no RCCL transport expected (no check); ${logged}`;
  }
}

/** Spare nodes are asked for and billed like the others; they train only after a node failure. */
function spareLine(plan: Plan): string {
  const n = spareNodes(plan.spec);
  if (n === 0) return "";
  return ` + ${n} spare node${n === 1 ? "" : "s"} (--no-kill: allocated and billed, train only after a node fails; up to ${plan.spec.resilience.max_in_job_restarts} in-job restarts per job)`;
}

/** Languages shown at each end of the per-language table; plan.json has all of them. */
const LANGUAGE_ROWS = 8;

/** The human summary `neoxctl plan` prints. Pure. */
export function renderSummary(plan: Plan): string {
  const l = plan.layout;
  const s = plan.spec;
  const d = plan.data;
  const byShare = [...d.byLanguage].sort((a, b) => b.share - a.share || a.key.localeCompare(b.key));
  const lines = [
    `run ${s.name}: ${s.model.preset} on ${plan.profile.name}${s.cluster.profile !== plan.profile.name ? ` (the spec names ${s.cluster.profile})` : ""}`,
    `  GPUs        ${l.gcds} GCDs = ${l.nodes} nodes × ${l.gcdsPerNode}${spareLine(plan)}`,
    `  parallelism dp ${l.dp} × tp ${l.tp} × pp ${l.pp} (ZeRO ${s.parallelism.zero_stage}, ${s.precision})`,
    `  batch       micro ${l.microBatch} × grad-accum ${l.gradAccum} × dp ${l.dp} = ${l.globalBatch} sequences`,
    `  tokens      ${int(l.tokensPerStep)} per step × ${int(l.trainIters)} steps = ${int(l.totalTokens)} (${tokens(l.totalTokens)})`,
    `  lr          ${s.training.lr} → ${s.training.min_lr} (${s.training.decay_style}, warmup ${s.training.warmup})`,
    `  checkpoints every ${plan.checkpoints.factor} steps: ${plan.checkpoints.expected} expected${plan.checkpoints.keepLastN !== null ? `, newest ${plan.checkpoints.keepLastN} kept` : ""}`,
    `  data        ${d.datasets.length} datasets, ${d.strategy} sampling, ${d.entries.length} blend entries`,
    networkLine(plan),
    "",
    ...estimateLines(plan.estimates, plan.checkpoints.factor),
    ""
  ];
  if (d.grouping !== "none") {
    const worst = Math.max(...d.entries.map((e) => e.maxMemberDeviation));
    lines.push(
      `data grouped by ${d.grouping} to fit NeoX's 254-dataset limit: merge each group's members into its prefix first (plan.json data.blend).`,
      `  largest within-group share deviation after merging: ${pct(worst)}`,
      ""
    );
  }
  lines.push("by tier:", ...table(d.byTier, "tier"), "");
  lines.push(`by language (${d.byLanguage.length}; highest and lowest share):`);
  const shown =
    byShare.length <= 2 * LANGUAGE_ROWS
      ? byShare
      : [...byShare.slice(0, LANGUAGE_ROWS), ...byShare.slice(-LANGUAGE_ROWS)];
  lines.push(...table(shown, "language"));
  const maxEpochs = Math.max(...d.datasets.map((x) => x.epochs));
  lines.push("", `most repeated dataset: ${maxEpochs.toFixed(2)} epochs`);
  return lines.join("\n") + "\n";
}

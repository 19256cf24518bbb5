import type { DataManifest } from "@neoxctl/core";
import type { Plan } from "../types.ts";
import { renderAttempt } from "../render-attempt.ts";
import { renderSummary } from "../summary.ts";
import { dataTruth } from "../data/data-warnings.ts";
import type { DataTruth } from "../data/data-warnings.ts";
import { planGraph } from "./build-graph.ts";
import type { GraphOptions, GraphPlan } from "./build-graph.ts";

export interface RenderedRun {
  /** every file of the run directory, attempt 1 and the job graph, relative to it */
  files: Record<string, string>;
  /** plan.json as written */
  planJson: Record<string, unknown>;
  summary: string;
  graph: GraphPlan;
  truth: DataTruth;
}

function gb(bytes: number): string {
  return bytes >= 1e12 ? `${(bytes / 1e12).toFixed(2)} TB` : `${(bytes / 1e9).toFixed(1)} GB`;
}

/** The summary's job-graph and data-truth sections. Pure. */
export function graphSummaryLines(plan: Plan, g: GraphPlan, truth: DataTruth): string[] {
  const lines = ["", "job graph (plan.json graph; each step's script under steps/):"];
  for (const s of g.graph.steps) {
    const what =
      s.array !== undefined ? `${s.array.tasks} array task(s), ≤${s.array.maxConcurrent} at once` : "1 job";
    const after = s.dependsOn.length > 0 ? ` after ${s.dependsOn.join(", ")}` : "";
    const skip = g.selection.skipped.find((x) => x.id === s.id);
    lines.push(
      `  ${s.id.padEnd(9)} ${s.kind === "train" ? "the training attempts" : (s.script ?? "")} on ${s.partition}: ${what}${after}${skip !== undefined ? ` — SKIP: ${skip.reason}` : ""}`
    );
  }
  if (g.eod !== undefined)
    lines.push(
      `  end of document: ${g.eod.token} = ${g.eod.id} (${g.eod.source})${g.eod.explicit ? "; NeoX looks up <|endoftext|>, so tokenize sets this id explicitly (steps/tools/preprocess_eod.py)" : ""}`
    );
  if (g.merge !== undefined)
    lines.push(
      `  merge: ${g.merge.groups} group(s). Changing a weight inside a group means merging that group again: the largest (${g.merge.largestGroup}) rewrites ${gb(g.merge.largestGroupBytes)}, all groups ${gb(g.merge.allGroupsBytes)}.`
    );
  lines.push(
    "",
    truth.counts === "measured"
      ? "data counts: measured from the .idx files (neoxctl data scan)"
      : "data counts: DECLARED, not measured (written by hand or estimated): run `neoxctl data scan <manifest>` once tokenized",
    ...truth.warnings.map((w) => `warning (${w.kind}): ${w.message}`)
  );
  return lines;
}

/**
 * Everything `neoxctl plan` writes: attempt 1's files, the job graph's scripts, and plan.json with
 * the graph, the step selection, the end-of-document choice and the data's truth. Pure.
 */
export function renderRun(
  plan: Plan,
  manifest: DataManifest,
  opts: Omit<GraphOptions, "manifest">
): RenderedRun {
  const attempt = renderAttempt(plan, {
    index: 1,
    runId: plan.spec.name,
    load: { kind: "init" },
    excludeNodes: []
  });
  const graph = planGraph(plan, { ...opts, manifest });
  const truth = dataTruth(plan, manifest);
  const planJson = {
    ...(JSON.parse(attempt.files["plan.json"]!) as Record<string, unknown>),
    graph: graph.graph,
    graphSelection: graph.selection,
    ...(graph.eod !== undefined ? { eod: graph.eod } : {}),
    ...(graph.merge !== undefined ? { mergeCost: graph.merge } : {}),
    dataTruth: truth
  };
  const files = { ...attempt.files, ...graph.files, "plan.json": JSON.stringify(planJson, null, 2) + "\n" };
  const summary = renderSummary(plan) + graphSummaryLines(plan, graph, truth).join("\n") + "\n";
  return { files, planJson, summary, graph, truth };
}

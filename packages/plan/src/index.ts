// The public API of @neoxctl/plan: what other packages import, named one by one.
export type { Estimates, Span } from "./estimate/estimates.ts";
export { planRun } from "./plan-run.ts";
export { DEFAULT_REPETITION_EPOCHS, dataTruth } from "./data/data-warnings.ts";
export type { DataTruth, DataWarning } from "./data/data-warnings.ts";
export { planGraph } from "./graph/build-graph.ts";
export type { GraphOptions, GraphPlan, GraphSelection, MergeCost } from "./graph/build-graph.ts";
export { NEOX_EOD_TOKEN, chooseEod, readTokenizerJson } from "./graph/eod.ts";
export type { EodChoice, TokenizerInfo } from "./graph/eod.ts";
export { graphSummaryLines, renderRun } from "./graph/render-run.ts";
export type { RenderedRun } from "./graph/render-run.ts";
export { STEP_ENV, STEP_TOOL, stepComment, stepJobName, stepLogPath } from "./graph/step-script.ts";
export { dataPrefixes } from "./preflight.ts";
export { renderAttempt } from "./render-attempt.ts";
export { renderSummary } from "./summary.ts";
export { fillTemplate, resolveTemplateValues } from "./templates/fill-template.ts";
export type { Attempt, Plan } from "./types.ts";
export { templatesDir } from "./templates/template-files.ts";

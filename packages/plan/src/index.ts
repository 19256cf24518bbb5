// The public API of @neoxctl/plan: what other packages import, named one by one.
export type { Estimates, Span } from "./estimate/estimates.ts";
export { deviceMemory } from "./estimate/device-memory.ts";
export type { DeviceMemory } from "./estimate/device-memory.ts";
export { planRun } from "./plan-run.ts";
export { dataPrefixes } from "./preflight.ts";
export { renderAttempt } from "./render-attempt.ts";
export { renderSummary } from "./summary.ts";
export { fillTemplate, resolveTemplateValues } from "./templates/fill-template.ts";
export type { Attempt, Plan } from "./types.ts";
export { templatesDir } from "./templates/template-files.ts";

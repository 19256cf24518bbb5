// The public API of @neoxctl/core: what other packages import, named one by one.
export {
  ExecError,
  NeoxctlError,
  SlurmError,
  SpecError,
  StateError,
  formatSpecIssues,
  toNeoxctlError
} from "./errors/classes.ts";
export type { SpecIssue } from "./errors/classes.ts";
export { exitStatusFor } from "./errors/codes.ts";
export { checkpointOverhead, youngDalyIntervalS } from "./estimate/young-daly.ts";
export { EVENT_TYPES, EventTypeSchema } from "./events/event-type.ts";
export {
  GRAPH_OUTPUT_KINDS,
  GRAPH_STEP_KINDS,
  GraphOutputSchema,
  GraphStepKindSchema,
  GraphStepSchema,
  JobGraphSchema,
  StepRecordSchema,
  outputsOfTask,
  recordFiles,
  recordPathFor,
  requiredFiles,
  taskIndices,
  verifyStepOutputs
} from "./graph/graph.ts";
export {
  MMIDX_DTYPE_BYTES,
  MmIndexError,
  concatMmIndexes,
  decodeMmIndex,
  dtypeCodeForVocab,
  encodeMmIndex,
  summarizeMmIndex
} from "./graph/mmidx.ts";
export type { MmIndex, MmIndexSummary } from "./graph/mmidx.ts";
export type {
  GraphOutput,
  GraphStep,
  GraphStepKind,
  JobGraph,
  StepRecord,
  StepVerification
} from "./graph/graph.ts";
export type { EventType } from "./events/event-type.ts";
export { NEOX_KEYS } from "./neox/keys.ts";
export { redactSecrets, redactUrl, registerSecrets } from "./redact/redact.ts";
export { safeJson, safeText } from "./redact/safe-output.ts";
export { AccessSchema } from "./spec/cluster-profile.ts";
export type { ClusterAccess, ClusterProfile } from "./spec/cluster-profile.ts";
export type { CanaryProfile } from "./spec/canary-profile.ts";
export { sizeInGcds } from "./spec/cluster-size.ts";
export { TIERS } from "./spec/data.ts";
export type { DataManifest, DataSpec, Dataset, Sampling, Tier } from "./spec/data.ts";
export type { EstimatesProfile, MfuBand } from "./spec/estimates-profile.ts";
export { specJsonSchemas } from "./spec/json-schema.ts";
export { architectureOf } from "./spec/model.ts";
export type { ModelArchitecture } from "./spec/model.ts";
export { NetworkProfileSchema } from "./spec/network-profile.ts";
export type { NetworkProfile } from "./spec/network-profile.ts";
export { parseClusterProfile, parseDataManifest, parseRunSpec } from "./spec/parse.ts";
export {
  ContainerImageSchema,
  ProgramSchema,
  isAbsoluteNormalPath,
  isBindSpec,
  isRelativeNormalPath
} from "./spec/paths.ts";
export { parsePlanInput } from "./spec/plan-input.ts";
export type { PlanInputData } from "./spec/plan-input.ts";
export { ResilienceSchema } from "./spec/resilience.ts";
export type { Resilience } from "./spec/resilience.ts";
export { isRunId } from "./spec/run-id.ts";
export { RunSpecSchema, SafeIdSchema, runResilience } from "./spec/run-spec.ts";
export type { RunSpec } from "./spec/run-spec.ts";
export { slurmTimeMinutes } from "./spec/slurm-time.ts";
export { parseSpecTemplate } from "./spec/spec-template.ts";
export type { SpecTemplate } from "./spec/spec-template.ts";
export { renderValue } from "./spec/zod-issues.ts";
export {
  meetsSeverity,
  RunAlertsSchema,
  SEVERITIES,
  SeveritySchema,
  severityRank,
  WebhookRefSchema
} from "./alerts/severity.ts";
export type { RunAlerts, Severity } from "./alerts/severity.ts";

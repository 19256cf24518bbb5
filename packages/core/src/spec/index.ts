export { parseRunSpec, parseClusterProfile, parseDataManifest } from "./parse.ts";
export {
  RunSpecSchema,
  SafeIdSchema,
  GlobalBatchSchema,
  TrainingSchema,
  ParallelismSchema
} from "./run-spec.ts";
export type { RunSpec, TrainingSpec } from "./run-spec.ts";
export { ClusterProfileSchema, AccessSchema } from "./cluster-profile.ts";
export type { ClusterProfile, ClusterAccess } from "./cluster-profile.ts";
export { LaunchSchema, EnvironmentSchema } from "./launch-profile.ts";
export type { LaunchProfile, EnvironmentProfile } from "./launch-profile.ts";
export { DataManifestSchema, DatasetSchema, SamplingSchema, TIERS } from "./data.ts";
export type { DataManifest, Dataset, DataSpec, Sampling, Tier } from "./data.ts";
export { architectureOf, MODEL_PRESET_NAMES } from "./model.ts";
export type { ModelArchitecture, ModelPresetName } from "./model.ts";
export { sizeInGcds } from "./cluster-size.ts";
export type { ClusterSize } from "./cluster-size.ts";
export { slurmTimeMinutes } from "./slurm-time.ts";
export { RunIdSchema, isRunId } from "./run-id.ts";
export { renderValue } from "./zod-issues.ts";
export { specJsonSchemas } from "./json-schema.ts";
export { parseSpecTemplate, SpecTemplateSchema, BUILTIN_TEMPLATE_KEYS } from "./spec-template.ts";
export type { SpecTemplate } from "./spec-template.ts";
export { PlanInputSchema, parsePlanInput } from "./plan-input.ts";
export type { PlanInputData } from "./plan-input.ts";
export {
  AbsolutePathSchema,
  AbsoluteOrRelativePathSchema,
  ProgramSchema,
  ContainerImageSchema,
  BindSchema,
  isAbsoluteNormalPath,
  isRelativeNormalPath,
  isBindSpec
} from "./paths.ts";

export { expectedCheckpointFiles, pipelineLayerIndices, rankZeroFiles } from "./checkpoint/expected-files.ts";
export type { CheckpointTopology } from "./checkpoint/expected-files.ts";
export type { ModelStates } from "./checkpoint/state.ts";
export { formatExp, formatFixed, pyFloatRepr, humanReadableFlops } from "./format/pyformat.ts";
export { loadNeoxConfig } from "./config/load-config.ts";
export type { EmuConfig } from "./config/emu-config.ts";
export { PythonError } from "./config/python-error.ts";
export { parseFaultPlan } from "./faults/faults.ts";
export type { FaultKind, FaultPlan } from "./faults/faults.ts";

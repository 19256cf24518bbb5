export * from "./run-state.ts";
export * from "./model.ts";
export * from "./ports.ts";
export { decide } from "./policy/decide.ts";
export type { Decision, Recovery, NoteKind } from "./policy/decision.ts";
export type { DecisionContext } from "./policy/context.ts";
export { Keys, defaultRedisUrl } from "./store/keys.ts";
export { LeaseManager } from "./store/lease.ts";
export type { Lease } from "./store/lease.ts";
export { RunStore } from "./store/run-store.ts";
export type { Op } from "./store/run-store.ts";
export { CorruptRecordError, CorruptTally, decodeRecord, checkRecord, RECORD_KINDS } from "./store/decode.ts";
export type { RecordKind, RecordSource, Decoded } from "./store/decode.ts";
export { SeriesStore } from "./store/series-store.ts";
export type { StepPoint } from "./store/series-store.ts";
export { Supervisor } from "./worker/supervisor.ts";
export type { SupervisorOptions, CycleReport } from "./worker/supervisor.ts";
export type { ClusterHandle, ClusterResolver } from "./worker/cluster.ts";
export { createRun, newRunId } from "./worker/create-run.ts";
export type { NewRunInput } from "./worker/create-run.ts";
export type { ControlCommand } from "./worker/controls/command.ts";
export { requestControl, NodeNameSchema } from "./worker/controls/command.ts";
export { SlurmAdapter, DEFAULT_NODE_STATE_MAX_AGE_MS } from "./adapters/slurm-client.ts";
export type { SlurmAdapterOptions } from "./adapters/slurm-client.ts";
export { timelineCheckpoints } from "./adapters/checkpoints.ts";
export { renderFor } from "./adapters/render-attempt.ts";
export type { RenderedFiles, RenderExtras } from "./adapters/render-attempt.ts";
export { planInputOf } from "./adapters/plan-input.ts";
export { SupervisorWorker, enqueueSubmit, bullPrefix, QUEUE_NAMES } from "./worker/queues.ts";
export type { WorkerOptions, QueueName, NotifyRequest } from "./worker/queues.ts";
export { connectRedis, openStore, defaultPrefix, cachingResolver, execTargetOf } from "./worker/connect.ts";
export { chainStatus } from "./chain/chain-status.ts";
export type { ChainStatus } from "./chain/chain-status.ts";
export type { ChainRecord, ExitRecord } from "./chain/chain-record.ts";
export type { IntervalAdvice } from "./chain/interval-advice.ts";
export type { ChainPriors } from "./chain/measure.ts";
export { simulate, runMtbfS } from "./simulate/simulate.ts";
export type {
  SimReport,
  PolicySummary,
  IntervalRow,
  Distribution,
  SimulateInput
} from "./simulate/simulate.ts";
export { FailureModelSchema, SimRunSchema } from "./simulate/sim-config.ts";
export type { FailureModel, SimRun } from "./simulate/sim-config.ts";
export { SIM_POLICIES } from "./simulate/simulate-run.ts";
export type { SimPolicy } from "./simulate/simulate-run.ts";
export { LOSS_CAUSES } from "./simulate/ledger.ts";
export type { LossCause } from "./simulate/ledger.ts";
export { GOODPUT_CATEGORIES, effectiveTrainingTime, emptySplit, splitTotal } from "./goodput/categories.ts";
export type { GoodputCategory, GoodputSplit } from "./goodput/categories.ts";
export { accountRun } from "./goodput/account.ts";
export type { AccountInput, RunGoodput } from "./goodput/account.ts";
export { readGoodput } from "./goodput/read-goodput.ts";

// The public API of @neoxctl/supervisor: what other packages import, named one by one.
export { renderFor } from "./adapters/render-attempt.ts";
export { DEFAULT_NODE_STATE_MAX_AGE_MS, SlurmAdapter } from "./adapters/slurm-client.ts";
export { chainStatus } from "./chain/chain-status.ts";
export { assessSupervision, DEFAULT_WEDGED_FACTOR } from "./heartbeat/assess.ts";
export type { ClusterSupervision, SupervisionReport, SupervisorStatus } from "./heartbeat/assess.ts";
export { readHeartbeats, readSupervisionInput } from "./heartbeat/read.ts";
export type { Heartbeat } from "./heartbeat/record.ts";
export type { RunGoodput } from "./goodput/account.ts";
export { accountRun } from "./goodput/account.ts";
export { readGoodput } from "./goodput/read-goodput.ts";
export { GOODPUT_CATEGORIES } from "./goodput/categories.ts";
export type { GoodputCategory } from "./goodput/categories.ts";
export { noBudgetUsed } from "./model.ts";
export type { Attempt, AttemptParams, BadNode, Run, RunEvent, StoredEvent } from "./model.ts";
export type {
  JobView,
  SlurmPort,
  StepSubmitInput,
  StepTaskView,
  SubmitInput,
  SubmittedJob
} from "./ports.ts";
export type { RunState } from "./run-state.ts";
export { LOSS_CAUSES } from "./simulate/ledger.ts";
export type { LossCause } from "./simulate/ledger.ts";
export { FailureModelSchema, SimRunSchema } from "./simulate/sim-config.ts";
export type { FailureModel, SimRun } from "./simulate/sim-config.ts";
export type { SimPolicy } from "./simulate/simulate-run.ts";
export { simulate } from "./simulate/simulate.ts";
export type { SimReport } from "./simulate/simulate.ts";
export { CorruptRecordError } from "./store/decode.ts";
export { Keys, defaultRedisUrl } from "./store/keys.ts";
export { LeaseManager } from "./store/lease.ts";
export { RunStore } from "./store/run-store.ts";
export type { Op } from "./store/run-store.ts";
export { SeriesStore } from "./store/series-store.ts";
export type { StepPoint } from "./store/series-store.ts";
export type { ClusterHandle } from "./worker/cluster.ts";
export { cachingResolver, connectRedis, defaultPrefix, execTargetOf, openStore } from "./worker/connect.ts";
export { ActorSchema, NodeNameSchema, requestControl } from "./worker/controls/command.ts";
export { createRun, newRunId } from "./worker/create-run.ts";
export { SupervisorWorker, enqueueSubmit } from "./worker/queues.ts";
export { Supervisor } from "./worker/supervisor.ts";
export type { CycleReport } from "./worker/supervisor.ts";
export { describeSpeed, runSpeed } from "./chain/speed.ts";
export type { RunSpeed } from "./chain/speed.ts";
export { GraphRunSchema, initialGraphRun } from "./graph/graph-state.ts";
export type { GraphRun, GraphSelection, StepState } from "./graph/graph-state.ts";
export { describeGraph, graphProgress, selectionFlag } from "./graph/graph-view.ts";
export type { StepProgress } from "./graph/graph-view.ts";

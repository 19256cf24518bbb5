// The public API of @neoxctl/slurm: what other packages import, named one by one.
export { SlurmClient } from "./client.ts";
export { clusterReport } from "./cluster-report.ts";
export type { ClusterReport } from "./cluster-report.ts";
export { compressHostlist } from "./hostlist.ts";
export { JOB_STATES, isFinal, statePhase } from "./job-state.ts";
export type { JobState, StatePhase } from "./job-state.ts";
export { jobNameForRun } from "./job-status.ts";
export type { JobStatus } from "./job-status.ts";
export { lookupJobs } from "./lookup.ts";
export type { JobLookup } from "./lookup.ts";
export { StatusPoller } from "./poller.ts";
export type { PollResult } from "./poller.ts";

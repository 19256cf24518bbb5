import type { EventType, RunAlerts } from "@neoxctl/core";
import type { SlurmPollFailureCount, SupervisionView } from "./supervision.ts";
/**
 * What the dashboard reads, in its own terms. The supervisor adapter (supervisor-adapter.ts) is the
 * only module that maps the supervisor's store onto these shapes, so pages, metrics and alerts do
 * not change when the supervisor's storage does.
 */

/**
 * Mirrors the supervisor's run states; the adapter's exhaustive switch catches drift. One more:
 * `unreadable`, a run whose stored records could not be read (it needs a human like needs_attention).
 */
export const RUN_STATE_VIEWS = [
  "needs_attention",
  "unreadable",
  "failed",
  "recovering",
  "running",
  "queued",
  "planned",
  "completed",
  "cancelled"
] as const;
export type RunStateView = (typeof RUN_STATE_VIEWS)[number];

export interface RunSummary {
  id: string;
  name: string;
  state: RunStateView;
  cluster: string;
  step: number;
  trainIters: number;
  /** tokens per optimizer step (global batch × sequence length), when the plan says */
  tokensPerStep?: number;
  /** mean over the recent series points of the current attempt */
  stepTimeSeconds?: number;
  /** NeoX's logged MFU and HFU (percent), when the config set peak_theoretical_tflops */
  mfuPct?: number;
  hfuPct?: number;
  /** device-hours (GCD-hours) trained so far, and in the site's billing unit when the profile has a rule */
  spent?: { deviceHours: number; billed?: { unit: string; units: number } };
  /** the plan's estimate (docs/estimates.md), fast and slow end of the MFU band */
  estimate?: {
    stepS: { fast: number; slow: number };
    deviceHours: { fast: number; slow: number };
    billed?: { unit: string; units: { fast: number; slow: number } };
    mfuPct: { low: number; high: number };
  };
  /** attempt index currently acting (1-based), 0 before the first */
  attempt: number;
  jobId?: string;
  lastLoss?: number;
  currentLr?: number;
  /** why a human is needed, while needs_attention */
  attention?: string;
  /** recoveries so far, by budget class */
  recoveries: Record<string, number>;
  /** spike rollbacks so far */
  rollbackCount: number;
  createdAt: string;
  updatedAt: string;
  /** time of the last training step seen, for the last-progress age */
  lastProgressAt?: string;
  /** where the run's wall clock went (seconds by category) and the productive share */
  goodput?: GoodputView;
  /** GPUs (GCDs) the run trains on, when the plan says (GPU-hours of an incident) */
  devices?: number;
  /** the spec's team and owner, when it names them */
  team?: string;
  owner?: string;
  /** the loss curve as it stands (rolled-back points dropped), reduced for a sparkline */
  lossTail?: number[];
  /** the event type that put the run in needs_attention (says what a bare Slurm message was) */
  attentionEvent?: EventType;
  /** the newest attempt on which RCCL was seen on sockets where the profile expects the plugin (rccl_socket_fallback) */
  rcclFallbackAttempt?: number;
  /** the run's job graph, one row per step in dependency order (absent: a training-only run) */
  steps?: StepView[];
  /** state `unreadable`: which record could not be read and why (the other fields are placeholders) */
  unreadable?: string;
}

/** One step of a run's job graph (convert, tokenize, merge, train, export) as the run page shows it. */
export interface StepView {
  id: string;
  kind: string;
  state: string;
  /** tasks done / total (array steps), running now, submissions beyond the first */
  done: number;
  total: number;
  running: number;
  retries: number;
  jobIds: string[];
  dependsOn: string[];
  attention?: string;
}

export interface GoodputView {
  /** productive / wall clock (a job graph's steps included); absent before any time has passed */
  ett?: number;
  /** productive / (wall clock − workflow_steps); absent before any training time has passed */
  ettTraining?: number;
  wallS: number;
  /** seconds by category (productive, queue, startup, checkpoint, recompute, detection, rollback, human_wait, workflow_steps) */
  split: Readonly<Record<string, number>>;
}

export interface AttemptView {
  index: number;
  reason: string;
  jobId?: string;
  nodes: string[];
  excludeNodes: string[];
  phase: string;
  endState?: string;
  createdAt: string;
  endedAt?: string;
  lr: number;
  seed: number;
  loadStep?: number;
}

interface ConfigChange {
  field: string;
  from: unknown;
  to: unknown;
}

interface EvidenceView {
  logLines: string[];
  slurmState?: string;
  jobId?: string;
  nodes: string[];
  checkpoint?: number | null;
  configDiff: ConfigChange[];
}

/** One entry of the run's event stream; decisions are the events the supervisor acted on. */
export interface EventView {
  id: string;
  type: EventType;
  time: string;
  cause: string;
  attempt?: number;
  from?: RunStateView;
  to?: RunStateView;
  /** who asked, for events that carry out a human's command (`cli:alice`, `dashboard:oncall`) */
  actor?: string;
  evidence: EvidenceView;
}

/** One training step as logged by one attempt. */
export interface SeriesPoint {
  step: number;
  attempt: number;
  loss?: number;
  lr?: number;
  stepTimeSeconds?: number;
  /** when the supervisor read the point from the log */
  time?: string;
}

export interface SpikeMark {
  step: number;
  kind: "spike" | "nan" | "divergence";
  recovered: boolean;
}

interface RollbackMark {
  /** the attempt that ran from the rollback */
  attempt: number;
  onsetStep: number;
  toStep: number;
  lrFrom: number;
  lrTo: number;
}

export interface RunSeries {
  points: SeriesPoint[];
  spikes: SpikeMark[];
  rollbacks: RollbackMark[];
}

export interface ExcludedNode {
  node: string;
  reason: string;
  /** times the node was blamed */
  strikes: number;
  until?: string;
}

export type RunChange = { kind: "run"; runId: string } | { kind: "runs" };

/** The supervisor's last good status poll of one cluster (how long it took, when), and the failures since. */
export interface SlurmPollView {
  cluster: string;
  /** absent when no poll of the cluster has succeeded yet (only failures are known) */
  seconds?: number;
  at?: string;
  /** polls that failed in a row since the last good one, when the store records them */
  failures?: number;
  lastError?: string;
}

export interface CorruptRecordCount {
  kind: string;
  count: number;
}

/** What alert routing needs of a run (structurally the alerts module's RunRouting). */
export interface RunRouting {
  team?: string;
  alerts?: RunAlerts;
}

export interface ManualActionCount {
  actor: string;
  action: string;
  count: number;
}

export interface RunReadModel {
  listRuns(): Promise<RunSummary[]>;
  getRun(runId: string): Promise<RunSummary | undefined>;
  /** whether the id is in the store's set of runs (absent: getRun decides) */
  hasRun?(runId: string): Promise<boolean>;
  attempts(runId: string): Promise<AttemptView[]>;
  /** events after `sinceId` (all when omitted), oldest first */
  eventsSince(runId: string, sinceId?: string): Promise<EventView[]>;
  series(runId: string): Promise<RunSeries>;
  excludedNodes(runId: string): Promise<ExcludedNode[]>;
  /** the supervisor's last Slurm poll per cluster (absent when the store does not record it) */
  slurmPolls?(): Promise<SlurmPollView[]>;
  /** corrupt records the supervisors reported, by record kind (absent when the store does not count them) */
  corruptRecords?(): Promise<CorruptRecordCount[]>;
  /** the run's team label and the spec's `alerts:` (absent when the store does not keep the spec) */
  alertRouting?(runId: string): Promise<RunRouting>;
  /** manual controls requested, by who asked and the action (absent when the store does not count them) */
  manualActions?(): Promise<ManualActionCount[]>;
  /** supervisor heartbeats assessed: live, wedged, unsupervised clusters, stuck leases (absent: not known) */
  supervision?(): Promise<SupervisionView>;
  /** failed Slurm status polls per cluster (absent when the store does not count them) */
  slurmPollFailures?(): Promise<SlurmPollFailureCount[]>;
  /** calls `listener` whenever a run changes; returns the unsubscribe function */
  subscribe(listener: (change: RunChange) => void): () => void;
}

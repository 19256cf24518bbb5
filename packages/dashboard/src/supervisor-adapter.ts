import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { RunAlertsSchema } from "@neoxctl/core";
import {
  assessSupervision,
  graphProgress,
  CorruptRecordError,
  Keys,
  readSupervisionInput,
  accountRun,
  requestControl,
  RunStore,
  runSpeed,
  SeriesStore
} from "@neoxctl/supervisor";
import type { Attempt, BadNode, Run, RunSpeed, RunState, StepPoint, StoredEvent } from "@neoxctl/supervisor";
import type {
  AttemptView,
  CorruptRecordCount,
  EventView,
  ExcludedNode,
  ManualActionCount,
  RunChange,
  RunReadModel,
  RunRouting,
  RunSeries,
  RunStateView,
  RunSummary,
  SlurmPollView,
  SpikeMark
} from "./model/read-model.ts";
import type { ActionRequest, ActionResult, RunActions } from "./model/actions.ts";
import { tokensPerStepOf } from "./model/plan-tokens.ts";
import { mergePollStreak } from "./model/poll-streak.ts";
import { ChangePoller } from "./model/change-poller.ts";
import type { SlurmPollFailureCount, SupervisionView } from "./model/supervision.ts";
import { lossTail } from "./model/loss-tail.ts";

/** How long a live run's cached summary stands before its goodput and ages are read again. */
const SUMMARY_TTL_MS = 15_000;

const OWNER_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** The spec's team and owner, as the supervisor stored the spec with the run. */
function ownersOf(planInput: unknown): { team?: string; owner?: string } {
  const spec = (planInput as { spec?: Record<string, unknown> } | null)?.spec;
  const pick = (v: unknown): string | undefined =>
    typeof v === "string" && OWNER_RE.test(v) ? v : undefined;
  const team = pick(spec?.["team"]);
  const owner = pick(spec?.["owner"]);
  return { ...(team ? { team } : {}), ...(owner ? { owner } : {}) };
}

/**
 * The one module that knows the supervisor: it maps the supervisor's RunStore (runs, attempts,
 * event streams, bad nodes) and SeriesStore (per-step loss/LR/step time) onto the dashboard's read
 * model. Nothing else in this package imports @neoxctl/supervisor.
 */
function stateView(state: RunState): RunStateView {
  switch (state) {
    case "planned":
    case "queued":
    case "running":
    case "recovering":
    case "needs_attention":
    case "completed":
    case "failed":
    case "cancelled":
      return state;
  }
}

function attemptView(a: Attempt, events: readonly StoredEvent[]): AttemptView {
  // the attempt record has no node list; the newest event of this attempt that names nodes does
  const named = [...events].reverse().find((e) => e.attempt === a.index && e.evidence.nodes?.length);
  return {
    index: a.index,
    reason: a.reason,
    ...(a.jobId ? { jobId: a.jobId } : {}),
    nodes: named?.evidence.nodes ?? [],
    excludeNodes: a.params.excludeNodes,
    phase: a.phase,
    ...(a.endState ? { endState: a.endState } : {}),
    createdAt: a.createdAt,
    ...(a.endedAt ? { endedAt: a.endedAt } : {}),
    lr: a.params.lr,
    seed: a.params.seed,
    ...(a.params.load.kind === "resume" && a.params.load.iteration !== undefined
      ? { loadStep: a.params.load.iteration }
      : {})
  };
}

function eventView(e: StoredEvent): EventView {
  const ev = e.evidence;
  return {
    id: e.id,
    type: e.type,
    time: e.time,
    cause: e.cause,
    ...(e.attempt !== undefined ? { attempt: e.attempt } : {}),
    ...(e.from ? { from: stateView(e.from) } : {}),
    ...(e.to ? { to: stateView(e.to) } : {}),
    ...(e.actor !== undefined ? { actor: e.actor } : {}),
    evidence: {
      logLines: ev.logLines ?? [],
      ...(ev.slurmState ? { slurmState: ev.slurmState } : {}),
      ...(ev.jobId ? { jobId: ev.jobId } : {}),
      nodes: ev.nodes ?? [],
      ...(ev.checkpoint !== undefined ? { checkpoint: ev.checkpoint } : {}),
      configDiff: ev.configDiff ?? []
    }
  };
}

/** Spike, NaN and divergence alarms are events whose evidence detail names the kind and onset. */
function spikeMarks(events: readonly StoredEvent[]): SpikeMark[] {
  const marks = new Map<string, SpikeMark>();
  for (const e of events) {
    const d = e.evidence.detail;
    const kind = d?.["kind"];
    const onset = d?.["onsetStep"];
    if ((kind === "spike" || kind === "nan" || kind === "divergence") && typeof onset === "number") {
      const recovered = e.type === "spike_recovered" || /recovered/i.test(e.cause);
      marks.set(`${kind}:${onset}`, { step: onset, kind, recovered });
    }
  }
  return [...marks.values()].sort((a, b) => a.step - b.step);
}

function excluded(b: BadNode): ExcludedNode {
  return {
    node: b.node,
    reason: b.lastCause,
    strikes: b.blamed,
    ...(b.until !== null ? { until: new Date(b.until).toISOString() } : {})
  };
}

/** The newest attempt the supervisor raised rccl_socket_fallback for (its once-per-attempt `noted` key). */
function rcclFallbackAttempt(run: Run): number | undefined {
  const attempts = run.noted
    .map((k) => /^rccl_socket_fallback:(\d+)$/.exec(k)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number);
  return attempts.length ? Math.max(...attempts) : undefined;
}

/** A run one of whose records could not be read: listed with its id, nothing else claimed. */
function unreadableSummary(id: string, error: CorruptRecordError): RunSummary {
  return {
    id,
    name: id,
    state: "unreadable",
    cluster: "",
    step: 0,
    trainIters: 0,
    attempt: 0,
    recoveries: {},
    rollbackCount: 0,
    createdAt: "",
    updatedAt: "",
    unreadable: error.message
  };
}

/** The value, or `fallback` when a record it needs is corrupt (the store has noted it). */
async function unlessCorrupt<T>(read: Promise<T>, fallback: (e: CorruptRecordError) => T): Promise<T> {
  try {
    return await read;
  } catch (e) {
    if (e instanceof CorruptRecordError) return fallback(e);
    throw e;
  }
}

export interface SupervisorModelOptions {
  redis: Redis;
  /** the supervisor's key prefix (tests use their own) */
  prefix: string;
  /** how often subscribe() looks for changes */
  pollMs?: number;
  /** a supervisor holding leases is wedged after this many poll intervals without a finished cycle */
  wedgedFactor?: number;
}

/** The supervisor's speed and estimate, in the read model's optional fields. */
function speedFields(s: RunSpeed): Partial<RunSummary> {
  const e = s.estimate;
  return {
    ...(s.mfuPct !== null ? { mfuPct: s.mfuPct } : {}),
    ...(s.hfuPct !== null ? { hfuPct: s.hfuPct } : {}),
    ...(s.spent.deviceHours !== null && s.spent.trainingS > 0
      ? { devices: Math.round(s.spent.deviceHours / (s.spent.trainingS / 3600)) }
      : {}),
    ...(s.spent.deviceHours !== null
      ? {
          spent: {
            deviceHours: s.spent.deviceHours,
            ...(s.spent.billed ? { billed: s.spent.billed } : {})
          }
        }
      : {}),
    ...(e
      ? {
          estimate: {
            stepS: e.stepS,
            deviceHours: e.deviceHours,
            ...(e.billing ? { billed: e.billing } : {}),
            mfuPct: e.mfuPct
          }
        }
      : {})
  };
}

export class SupervisorReadModel implements RunReadModel {
  readonly store: RunStore;
  readonly seriesStore: SeriesStore;
  private readonly poller: ChangePoller;

  constructor(private readonly opts: SupervisorModelOptions) {
    const keys = new Keys(opts.prefix);
    this.store = new RunStore(opts.redis, keys);
    this.seriesStore = new SeriesStore(opts.redis, keys, this.store.corrupt);
    this.poller = new ChangePoller(() => this.fingerprints(), opts.pollMs ?? 1000);
  }

  /**
   * The summary reads the run's whole series, events and attempts (goodput, speed, sparkline), so
   * it is kept per run and read again only when the run record, its series or its event stream
   * changed; a live run's is also refreshed after SUMMARY_TTL_MS, since its wall clock moves on.
   */
  private readonly summaries = new Map<string, { key: string; at: number; value: RunSummary }>();

  /** What changes whenever the run record, its series or its event stream does: one round trip, no parsing. */
  private async cacheKey(runId: string): Promise<string> {
    const [raw, seriesLen, eventsLen] = await Promise.all([
      this.opts.redis.get(this.store.keys.run(runId)),
      this.opts.redis.xlen(this.seriesStore.key(runId)),
      this.opts.redis.xlen(this.store.keys.events(runId))
    ]);
    return `${createHash("sha1")
      .update(raw ?? "")
      .digest("hex")}:${seriesLen}:${eventsLen}`;
  }

  /** The cached summary when nothing changed (and a live run's is fresh enough). */
  private cached(runId: string, key: string, now: number): RunSummary | undefined {
    const hit = this.summaries.get(runId);
    if (!hit || hit.key !== key) return undefined;
    const s = hit.value.state;
    const settled = s === "completed" || s === "cancelled" || s === "failed";
    return settled || now - hit.at < SUMMARY_TTL_MS ? hit.value : undefined;
  }

  private async summary(run: Run, key: string): Promise<RunSummary> {
    const now = Date.now();
    const value = await this.readSummary(run, now);
    this.summaries.set(run.id, { key, at: now, value });
    return value;
  }

  private async readSummary(run: Run, now: number): Promise<RunSummary> {
    const [points, current, attempts, events] = await Promise.all([
      this.seriesStore.read(run.id),
      run.attempts > 0 ? this.store.getAttempt(run.id, run.attempts) : undefined,
      this.store.attempts(run),
      this.store.events(run.id)
    ]);
    const goodput = accountRun({ run, attempts, events, points, now });
    const speed = runSpeed({ run, points });
    const last: StepPoint | undefined = points[points.length - 1];
    const tokensPerStep = tokensPerStepOf(run.planInput);
    const owners = ownersOf(run.planInput);
    const stopped = [...events].reverse().find((e) => e.to === "needs_attention");
    return {
      id: run.id,
      name: run.name,
      state: stateView(run.state),
      cluster: run.cluster,
      step: last?.step ?? 0,
      trainIters: run.trainIters,
      ...(tokensPerStep !== undefined ? { tokensPerStep } : {}),
      // the supervisor's recent step time (chain/speed.ts), the one its ETA and slowdown guard use
      ...(speed.stepTimeS !== null ? { stepTimeSeconds: speed.stepTimeS } : {}),
      ...speedFields(speed),
      attempt: run.attempts,
      ...(current?.jobId ? { jobId: current.jobId } : {}),
      ...(last?.loss !== undefined ? { lastLoss: last.loss } : {}),
      currentLr: last?.lr ?? run.params.lr,
      ...(run.attention ? { attention: run.attention } : {}),
      ...(run.state === "needs_attention" && stopped ? { attentionEvent: stopped.type } : {}),
      ...(run.graph ? { steps: graphProgress(run.graph) } : {}),
      recoveries: { ...run.budgetsUsed },
      rollbackCount: run.rollbacks.length,
      ...(rcclFallbackAttempt(run) !== undefined ? { rcclFallbackAttempt: rcclFallbackAttempt(run) } : {}),
      createdAt: run.createdAt,
      updatedAt: run.updatedAt,
      ...(last?.time ? { lastProgressAt: last.time } : {}),
      ...owners,
      lossTail: lossTail(points, 48),
      goodput: {
        ...(goodput.ett !== undefined ? { ett: goodput.ett } : {}),
        ...(goodput.ettTraining !== undefined ? { ettTraining: goodput.ettTraining } : {}),
        wallS: goodput.wallS,
        split: { ...goodput.split }
      }
    };
  }

  async listRuns(): Promise<RunSummary[]> {
    const ids = await this.store.runIds(false);
    const known = new Set(ids);
    for (const id of this.summaries.keys()) if (!known.has(id)) this.summaries.delete(id);
    const runs = await Promise.all(ids.map((id) => this.getRun(id)));
    return runs.filter((r): r is RunSummary => r !== undefined);
  }

  async hasRun(runId: string): Promise<boolean> {
    return (await this.opts.redis.sismember(this.store.keys.runs(), runId)) === 1;
  }

  async getRun(runId: string): Promise<RunSummary | undefined> {
    const read = async (): Promise<RunSummary | undefined> => {
      const key = await this.cacheKey(runId);
      const hit = this.cached(runId, key, Date.now());
      if (hit) return hit;
      const run = await this.store.getRun(runId);
      return run ? this.summary(run, key) : undefined;
    };
    return unlessCorrupt(read(), (e) => unreadableSummary(runId, e));
  }

  async attempts(runId: string): Promise<AttemptView[]> {
    const run = await unlessCorrupt(this.store.getRun(runId), () => undefined);
    if (!run) return [];
    const [attempts, events] = await Promise.all([
      unlessCorrupt(this.store.attempts(run), () => []),
      this.store.events(runId)
    ]);
    return attempts.map((a) => attemptView(a, events));
  }

  async eventsSince(runId: string, sinceId?: string): Promise<EventView[]> {
    return (await this.store.events(runId, sinceId ?? "-")).map(eventView);
  }

  async series(runId: string): Promise<RunSeries> {
    const [run, points, events] = await Promise.all([
      unlessCorrupt(this.store.getRun(runId), () => undefined),
      this.seriesStore.read(runId),
      this.store.events(runId)
    ]);
    return {
      points: points.map((p) => ({
        step: p.step,
        attempt: p.attempt,
        ...(p.loss !== undefined ? { loss: p.loss } : {}),
        ...(p.lr !== undefined ? { lr: p.lr } : {}),
        ...(p.stepTimeMs !== undefined ? { stepTimeSeconds: p.stepTimeMs / 1000 } : {}),
        ...(p.time !== undefined ? { time: p.time } : {})
      })),
      spikes: spikeMarks(events),
      // the supervisor records the attempt that saw the spike; the rollback runs as the next one
      rollbacks: (run?.rollbacks ?? []).map((r) => ({ ...r, attempt: r.attempt + 1 }))
    };
  }

  async excludedNodes(runId: string): Promise<ExcludedNode[]> {
    return (await this.store.badNodes(runId)).map(excluded);
  }

  /**
   * The supervisor writes one field per cluster each cycle (Keys.slurmPoll) and keeps the failures in
   * a row since the last good poll with the last error (Keys.slurmPollStreak).
   */
  async slurmPolls(): Promise<SlurmPollView[]> {
    const [raw, streak] = await Promise.all([
      this.opts.redis.hgetall(this.store.keys.slurmPoll()),
      this.opts.redis.hgetall(this.store.keys.slurmPollStreak())
    ]);
    return mergePollStreak(readPolls(raw), streak);
  }

  /** the supervisors' heartbeats against the active runs and their leases */
  async supervision(): Promise<SupervisionView> {
    const input = await readSupervisionInput(this.opts.redis, this.store.keys, Date.now());
    const r = assessSupervision({
      ...input,
      ...(this.opts.wedgedFactor !== undefined ? { wedgedFactor: this.opts.wedgedFactor } : {})
    });
    return {
      supervisors: r.supervisors.map((s) => ({
        owner: s.owner,
        host: s.host,
        lastCycleAt: s.lastCycleAt,
        lastCycleAgeS: s.lastCycleAgeS,
        clusters: s.clusters,
        leases: s.leases,
        wedged: s.wedged
      })),
      clusters: r.clusters.map((c) => ({ ...c })),
      stuckLeases: r.stuckLeases.map((l) => ({ ...l })),
      problems: [...r.problems]
    };
  }

  /** the supervisors count failed status polls per cluster (Keys.slurmPollFailures) */
  async slurmPollFailures(): Promise<SlurmPollFailureCount[]> {
    const raw = await this.opts.redis.hgetall(this.store.keys.slurmPollFailures());
    return Object.entries(raw)
      .map(([cluster, n]) => ({ cluster, count: Number(n) }))
      .filter((c) => Number.isSafeInteger(c.count) && c.count > 0);
  }

  /** the supervisors count what they skip in one hash (Keys.corruptRecords) */
  async corruptRecords(): Promise<CorruptRecordCount[]> {
    const raw = await this.opts.redis.hgetall(this.store.keys.corruptRecords());
    return Object.entries(raw)
      .map(([kind, n]) => ({ kind, count: Number(n) }))
      .filter((c) => Number.isSafeInteger(c.count) && c.count > 0);
  }

  /** team label and `alerts:` from the spec the run was created with */
  async alertRouting(runId: string): Promise<RunRouting> {
    const run = await unlessCorrupt(this.store.getRun(runId), () => undefined);
    const spec = (run?.planInput as { spec?: { team?: unknown; alerts?: unknown } } | undefined)?.spec;
    const alerts = RunAlertsSchema.safeParse(spec?.alerts);
    return {
      ...(typeof spec?.team === "string" ? { team: spec.team } : {}),
      ...(spec?.alerts !== undefined && alerts.success ? { alerts: alerts.data } : {})
    };
  }

  /** requestControl counts each manual control in one hash (Keys.manualActions) */
  async manualActions(): Promise<ManualActionCount[]> {
    const raw = await this.opts.redis.hgetall(this.store.keys.manualActions());
    const out: ManualActionCount[] = [];
    for (const [field, n] of Object.entries(raw)) {
      const [actor, action] = field.split("\t");
      const count = Number(n);
      if (actor && action && Number.isSafeInteger(count) && count > 0) out.push({ actor, action, count });
    }
    return out;
  }

  /** run id → what changes whenever the run, its events or its series change */
  private async fingerprints(): Promise<Map<string, string>> {
    const ids = await this.store.runIds(false);
    const out = new Map<string, string>();
    await Promise.all(
      ids.map(async (id) => {
        const [run, batch, events] = await Promise.all([
          this.opts.redis.get(this.store.keys.run(id)),
          this.opts.redis.xlen(this.seriesStore.key(id)),
          this.opts.redis.xlen(this.store.keys.events(id))
        ]);
        out.set(id, `${run?.length ?? 0}:${(run ?? "").slice(-64)}:${batch}:${events}`);
      })
    );
    return out;
  }

  subscribe(listener: (change: RunChange) => void): () => void {
    return this.poller.subscribe(listener);
  }
}

/**
 * Manual controls go through the supervisor's own `requestControl` (the per-run control queue that
 * `neoxctl cancel/resume/rollback/ack` feed); whichever supervisor holds the run's lease carries the
 * command out and records an event (`cancelled_by_user`, `acknowledged`, … or `control_rejected`).
 */
export class SupervisorActions implements RunActions {
  constructor(private readonly store: RunStore) {}

  async perform(request: ActionRequest): Promise<ActionResult> {
    const run = await unlessCorrupt<Run | CorruptRecordError | undefined>(
      this.store.getRun(request.runId),
      (e) => e
    );
    if (run instanceof CorruptRecordError) return { ok: false, message: run.message };
    if (!run) return { ok: false, message: `no run ${request.runId}` };
    const cmd = await requestControl(this.store, request.runId, {
      ...controlOf(request),
      actor: request.actor
    });
    return {
      ok: true,
      message: `${cmd.kind} queued for run ${request.runId} by ${request.actor} (command ${cmd.id}); the supervisor records the outcome as an event`
    };
  }
}

function controlOf(r: ActionRequest): Parameters<typeof requestControl>[2] {
  switch (r.kind) {
    case "cancel":
    case "resume":
    case "ack":
      return { kind: r.kind };
    case "rollback":
      return {
        kind: "rollback",
        toStep: r.toStep,
        ...(r.lrFactor !== undefined ? { lrFactor: r.lrFactor } : {})
      };
    case "exclude":
      return { kind: "exclude", node: r.node };
  }
}

function readPolls(raw: Record<string, string>): SlurmPollView[] {
  const out: SlurmPollView[] = [];
  for (const [cluster, json] of Object.entries(raw)) {
    try {
      const v = JSON.parse(json) as { seconds?: unknown; at?: unknown };
      if (typeof v.seconds === "number" && typeof v.at === "string")
        out.push({ cluster, seconds: v.seconds, at: v.at });
    } catch {
      // a field this version cannot read is left out of the metrics, not fatal to the scrape
    }
  }
  return out;
}

import type { ActionRequest, ActionResult, RunActions } from "./actions.ts";
import type {
  AttemptView,
  EventView,
  ExcludedNode,
  RunChange,
  RunReadModel,
  RunSeries,
  RunSummary
} from "./read-model.ts";

interface Entry {
  run: RunSummary;
  attempts: AttemptView[];
  events: EventView[];
  series: RunSeries;
  excluded: ExcludedNode[];
}

/**
 * A read model held in memory: for unit tests of pages and routes, and for previewing the pages
 * without a supervisor. Actions are recorded, not carried out.
 */
export class MemoryRunModel implements RunReadModel, RunActions {
  private readonly runs = new Map<string, Entry>();
  private readonly listeners = new Set<(change: RunChange) => void>();
  readonly performed: ActionRequest[] = [];

  put(run: RunSummary, rest: Partial<Omit<Entry, "run">> = {}): void {
    const isNew = !this.runs.has(run.id);
    this.runs.set(run.id, {
      run,
      attempts: rest.attempts ?? [],
      events: rest.events ?? [],
      series: rest.series ?? { points: [], spikes: [], rollbacks: [] },
      excluded: rest.excluded ?? []
    });
    this.emit(isNew ? { kind: "runs" } : { kind: "run", runId: run.id });
  }

  async listRuns(): Promise<RunSummary[]> {
    return [...this.runs.values()].map((e) => e.run);
  }
  async getRun(runId: string): Promise<RunSummary | undefined> {
    return this.runs.get(runId)?.run;
  }
  async attempts(runId: string): Promise<AttemptView[]> {
    return this.runs.get(runId)?.attempts ?? [];
  }
  async eventsSince(runId: string, sinceId?: string): Promise<EventView[]> {
    const events = this.runs.get(runId)?.events ?? [];
    if (sinceId === undefined) return events;
    const i = events.findIndex((e) => e.id === sinceId);
    return i < 0 ? events : events.slice(i + 1);
  }
  async series(runId: string): Promise<RunSeries> {
    return this.runs.get(runId)?.series ?? { points: [], spikes: [], rollbacks: [] };
  }
  async excludedNodes(runId: string): Promise<ExcludedNode[]> {
    return this.runs.get(runId)?.excluded ?? [];
  }
  subscribe(listener: (change: RunChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async perform(request: ActionRequest): Promise<ActionResult> {
    if (!this.runs.has(request.runId)) return { ok: false, message: `no run ${request.runId}` };
    this.performed.push(request);
    return { ok: true, message: `${request.kind} requested for ${request.runId}` };
  }

  private emit(change: RunChange): void {
    for (const l of this.listeners) l(change);
  }
}

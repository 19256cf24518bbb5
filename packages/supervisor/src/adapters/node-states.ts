/**
 * The cluster's DOWN/DRAIN nodes, fetched at most once per `maxAgeMs` (issue 7: Slurm RPCs per
 * cycle). A node that goes DOWN under a job makes Slurm end or requeue that job, and the poll that
 * sees it runs its own `sinfo` and invalidates this cache, so a stale entry can only delay noticing a
 * node that was drained while its job keeps running — by at most `maxAgeMs`.
 */
export class NodeStateCache {
  private value: { at: number; bad: string[] } | undefined;
  private inflight: Promise<string[]> | undefined;

  constructor(
    private readonly fetch: () => Promise<string[]>,
    readonly maxAgeMs: number,
    private readonly now: () => number = Date.now
  ) {}

  /**
   * `inUse`: nodes Slurm runs jobs on right now. Slurm does not start a job on a DOWN node, so a
   * cached DOWN entry among them means the node was resumed since: the list is asked for again
   * rather than letting a stale entry cancel a healthy job.
   */
  async bad(inUse: ReadonlySet<string> = new Set()): Promise<string[]> {
    const v = this.value;
    if (v && this.now() - v.at < this.maxAgeMs && !v.bad.some((n) => inUse.has(n))) return v.bad;
    // concurrent callers share one sinfo
    this.inflight ??= this.fetch().then(
      (bad) => {
        this.value = { at: this.now(), bad };
        this.inflight = undefined;
        return bad;
      },
      (e: unknown) => {
        this.inflight = undefined;
        throw e;
      }
    );
    return this.inflight;
  }

  /** The next `bad()` asks Slurm again (a poll just saw a node failure or a requeue). */
  invalidate(): void {
    this.value = undefined;
  }
}

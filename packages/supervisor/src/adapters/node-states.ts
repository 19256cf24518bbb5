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

  async bad(): Promise<string[]> {
    const v = this.value;
    if (v && this.now() - v.at < this.maxAgeMs) return v.bad;
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

/** Redis key layout. Every key starts with the prefix so tests (and several deployments) stay apart. */
export class Keys {
  constructor(readonly prefix: string) {}
  runs(): string {
    return `${this.prefix}runs`;
  }
  active(): string {
    return `${this.prefix}runs:active`;
  }
  run(id: string): string {
    return `${this.prefix}run:${id}`;
  }
  attempt(id: string, n: number): string {
    return `${this.prefix}run:${id}:attempt:${n}`;
  }
  events(id: string): string {
    return `${this.prefix}run:${id}:events`;
  }
  badNodes(id: string): string {
    return `${this.prefix}run:${id}:badnodes`;
  }
  lease(id: string): string {
    return `${this.prefix}run:${id}:lease`;
  }
  fence(id: string): string {
    return `${this.prefix}run:${id}:fence`;
  }
  control(id: string): string {
    return `${this.prefix}run:${id}:control`;
  }
  /** hash: record kind → corrupt records the supervisors reported (for the dashboard's metrics) */
  corruptRecords(): string {
    return `${this.prefix}corrupt`;
  }
  /** hash: `<actor>\t<action>` → manual controls requested (the audit metric) */
  manualActions(): string {
    return `${this.prefix}audit:manual_actions`;
  }
  /** hash: cluster → JSON {seconds, at} of the last status poll (for the dashboard's metrics) */
  slurmPoll(): string {
    return `${this.prefix}slurm:poll`;
  }
  /** hash: cluster → failed status polls, a running count (for the dashboard's metrics) */
  slurmPollFailures(): string {
    return `${this.prefix}slurm:poll:failures`;
  }
  /**
   * hash: cluster → failed status polls in a row since the last good one, and `<cluster>:error` → the
   * last failure's message; a good poll deletes both fields (for the dashboard's cluster health)
   */
  slurmPollStreak(): string {
    return `${this.prefix}slurm:poll:streak`;
  }
  /** one supervisor process's heartbeat (JSON, with a TTL) */
  heartbeat(owner: string): string {
    return `${this.prefix}supervisor:${owner}`;
  }
  /** set of supervisor owners that wrote a heartbeat (readers drop the expired ones) */
  heartbeats(): string {
    return `${this.prefix}supervisors`;
  }
}

export function defaultRedisUrl(): string {
  return process.env.NEOXCTL_REDIS_URL ?? "redis://127.0.0.1:6379";
}

import type { Redis } from "ioredis";
import { z } from "zod";
import { ALERT_KINDS } from "./alert.ts";
import type { AlertKind } from "./alert.ts";

const RunIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);

/**
 * An alert the run may get over by itself, still waiting for its "resolved" message. No webhook
 * URL is kept (they are credentials): the route is chosen again from the run's routing when the
 * alert resolves, so it goes where the alert went unless the routes changed in between.
 */
export const OpenAlertSchema = z.strictObject({
  kind: z.enum(ALERT_KINDS),
  runId: RunIdSchema,
  runName: z.string(),
  /** the run's step when the alert went out: "resolved" once it trains past it */
  step: z.number().int().min(0),
  /** the route the alert took (`run`, `team:<label>`, `global`), for logs */
  via: z.string(),
  openedAt: z.string()
});
export type OpenAlert = z.output<typeof OpenAlertSchema>;

/** An alert that got its "resolved" message, kept (newest first, capped) for logs and tests. */
export const ResolvedAlertSchema = OpenAlertSchema.extend({
  resolvedStep: z.number().int().min(0),
  resolvedAt: z.string()
});
export type ResolvedAlert = z.output<typeof ResolvedAlertSchema>;

const RESOLVED_KEPT = 500;

/** HDEL only when the stored record is the same opening (cjson is Redis's built-in JSON for Lua). */
const CLOSE_IF_SAME = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local ok, rec = pcall(cjson.decode, v)
if ok and type(rec) == 'table' and rec.openedAt == ARGV[2] and rec.step == tonumber(ARGV[3]) then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
`;

function decode<S extends z.ZodType>(schema: S, raw: string | null): z.output<S> | undefined {
  if (raw === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const r = schema.safeParse(json);
  return r.success ? r.data : undefined;
}

/**
 * The notifier's memory, in Redis under the supervisor's prefix so a restarted (or a second)
 * supervisor carries on where the last one stopped: open alerts in one hash (`alerts:open`, field
 * `<run>\t<kind>`), resolved ones in a capped list (`alerts:resolved`), and one key per run and
 * kind while its rate-limit slot is taken (`alert:limit:<run>:<kind>`, expiring with the slot).
 * Every record read back is checked with its schema; an unreadable one is dropped, never trusted.
 */
export class AlertStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string
  ) {}

  private openKey(): string {
    return `${this.prefix}alerts:open`;
  }
  private resolvedKey(): string {
    return `${this.prefix}alerts:resolved`;
  }
  private field(runId: string, kind: AlertKind): string {
    return `${runId}\t${kind}`;
  }

  /**
   * Takes the run's slot for this kind for `ms` (SET NX PX: one winner across processes and
   * restarts, and Redis expires it). False when an alert of the kind went out less than `ms` ago.
   */
  async takeSlot(runId: string, kind: AlertKind, ms: number): Promise<boolean> {
    const key = `${this.prefix}alert:limit:${runId}:${kind}`;
    return (await this.redis.set(key, "1", "PX", ms, "NX")) === "OK";
  }

  /** Opens (or re-opens at a newer step) the run's alert of this kind. */
  async open(alert: OpenAlert): Promise<void> {
    const a = OpenAlertSchema.parse(alert);
    await this.redis.hset(this.openKey(), this.field(a.runId, a.kind), JSON.stringify(a));
  }

  /** The open alerts; unreadable entries are removed and counted in `dropped`. */
  async openAlerts(): Promise<{ alerts: OpenAlert[]; dropped: number }> {
    const all = await this.redis.hgetall(this.openKey());
    const alerts: OpenAlert[] = [];
    const bad: string[] = [];
    for (const [field, raw] of Object.entries(all)) {
      const a = decode(OpenAlertSchema, raw);
      if (a && field === this.field(a.runId, a.kind)) alerts.push(a);
      else bad.push(field);
    }
    if (bad.length) await this.redis.hdel(this.openKey(), ...bad);
    return { alerts, dropped: bad.length };
  }

  /**
   * Closes the open alert read earlier, if it is still that opening (same time and step: a newer
   * alert of the kind that re-opened it in between stays open). True for the one caller that
   * removed it: only that caller sends the "resolved" message, so two supervisors (or a check
   * racing a restart) never send it twice.
   */
  async close(a: OpenAlert): Promise<boolean> {
    const removed = await this.redis.eval(
      CLOSE_IF_SAME,
      1,
      this.openKey(),
      this.field(a.runId, a.kind),
      a.openedAt,
      String(a.step)
    );
    return removed === 1;
  }

  /** Drops an open alert whatever its opening (its run stopped: a human takes it from there). */
  async drop(a: OpenAlert): Promise<void> {
    await this.redis.hdel(this.openKey(), this.field(a.runId, a.kind));
  }

  async recordResolved(r: ResolvedAlert): Promise<void> {
    await this.redis
      .multi()
      .lpush(this.resolvedKey(), JSON.stringify(ResolvedAlertSchema.parse(r)))
      .ltrim(this.resolvedKey(), 0, RESOLVED_KEPT - 1)
      .exec();
  }

  /** Resolved alerts, newest first (unreadable entries skipped). */
  async resolvedAlerts(limit = 50): Promise<ResolvedAlert[]> {
    const raws = await this.redis.lrange(this.resolvedKey(), 0, Math.max(0, limit - 1));
    return raws.flatMap((raw) => {
      const r = decode(ResolvedAlertSchema, raw);
      return r ? [r] : [];
    });
  }
}

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import { SpecError } from "@neoxctl/core";

/** What a silence covers: one run (`<run id>` or `run:<id>`) or every run of a team (`team:<label>`). */
export const SilenceTargetSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("run"), run: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/) }),
  z.object({ kind: z.literal("team"), team: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/) })
]);
export type SilenceTarget = z.output<typeof SilenceTargetSchema>;

export const SilenceSchema = z.object({
  id: z.string().min(1),
  target: SilenceTargetSchema,
  reason: z.string().min(1).max(500),
  /** who created it (`cli:alice`, `dashboard:oncall`) */
  by: z.string().min(1),
  createdAt: z.string(),
  /** ISO time it ends */
  until: z.string()
});
export type Silence = z.output<typeof SilenceSchema>;

/** `run-id`, `run:run-id` or `team:label` → target; SpecError otherwise. */
export function parseSilenceTarget(text: string): SilenceTarget {
  const m = /^(run|team):(.*)$/.exec(text);
  const raw = m
    ? m[1] === "team"
      ? { kind: "team", team: m[2] }
      : { kind: "run", run: m[2] }
    : { kind: "run", run: text };
  const r = SilenceTargetSchema.safeParse(raw);
  if (!r.success)
    throw new SpecError("SPEC_INVALID", [
      { path: "<target>", received: text, rule: "a run id, run:<id> or team:<label>" }
    ]);
  return r.data;
}

export function targetText(t: SilenceTarget): string {
  switch (t.kind) {
    case "run":
      return `run:${t.run}`;
    case "team":
      return `team:${t.team}`;
  }
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `2h`, `1d`, `1h30m` → milliseconds (at most 30 days); SpecError otherwise. */
export function parseDuration(text: string, option = "--for"): number {
  const parts = [...text.matchAll(/(\d+)([smhd])/g)];
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] ?? 0), 0);
  if (!/^(\d+[smhd])+$/.test(text) || ms <= 0 || ms > 30 * UNIT_MS["d"]!)
    throw new SpecError("SPEC_INVALID", [
      { path: option, received: text, rule: "a duration such as 30m, 2h or 1h30m (at most 30d)" }
    ]);
  return ms;
}

/** What an alert is about, for matching silences. */
export interface SilenceSubject {
  runId: string;
  team?: string | undefined;
}

export function silences(s: Silence, subject: SilenceSubject): boolean {
  switch (s.target.kind) {
    case "run":
      return s.target.run === subject.runId;
    case "team":
      return subject.team !== undefined && s.target.team === subject.team;
  }
}

/**
 * Silences in Redis, shared by the CLI, the dashboard and the supervisor's notifier: one key per
 * silence (`<prefix>silence:<id>`, expiring with it) and a sorted set of ids by end time. Records
 * are decoded with the schema; an unreadable one is skipped (and removed), never trusted.
 */
export class SilenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now
  ) {}

  private key(id: string): string {
    return `${this.prefix}silence:${id}`;
  }
  private index(): string {
    return `${this.prefix}silences`;
  }

  async add(input: { target: SilenceTarget; forMs: number; reason: string; by: string }): Promise<Silence> {
    const t = this.now();
    const silence = SilenceSchema.parse({
      id: randomUUID().slice(0, 8),
      target: input.target,
      reason: input.reason,
      by: input.by,
      createdAt: new Date(t).toISOString(),
      until: new Date(t + input.forMs).toISOString()
    });
    await this.redis
      .multi()
      .set(this.key(silence.id), JSON.stringify(silence), "PX", input.forMs)
      .zadd(this.index(), t + input.forMs, silence.id)
      .exec();
    return silence;
  }

  /** Silences in force now, soonest to end first; ended ones are dropped from the index. */
  async list(): Promise<Silence[]> {
    const t = this.now();
    await this.redis.zremrangebyscore(this.index(), "-inf", t);
    const ids = await this.redis.zrange(this.index(), 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.key(id)));
    const out: Silence[] = [];
    for (const [i, raw] of raws.entries()) {
      let parsed: unknown;
      try {
        parsed = raw === null ? undefined : JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
      const r = SilenceSchema.safeParse(parsed);
      if (r.success && Date.parse(r.data.until) > t) out.push(r.data);
      else await this.redis.zrem(this.index(), ids[i] as string);
    }
    return out;
  }

  /** True when it existed. */
  async remove(id: string): Promise<boolean> {
    const [[, deleted] = [null, 0]] = (await this.redis
      .multi()
      .del(this.key(id))
      .zrem(this.index(), id)
      .exec()) as [Error | null, number][];
    return deleted === 1;
  }

  /** The silences in force that cover the subject. */
  async matching(subject: SilenceSubject): Promise<Silence[]> {
    return (await this.list()).filter((s) => silences(s, subject));
  }
}

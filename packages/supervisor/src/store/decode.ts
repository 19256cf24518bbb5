import type { z } from "zod";
import { StateError } from "@neoxctl/core";

/** The kinds of record the supervisor keeps in Redis, one label each for reports and metrics. */
export const RECORD_KINDS = [
  "run",
  "planInput",
  "attempt",
  "event",
  "control",
  "series",
  "chain",
  "badNode"
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Where a record was read from: enough to find it again and to say which run it belongs to. */
export interface RecordSource {
  kind: RecordKind;
  key: string;
  runId?: string;
  /** stream entry id or hash field inside `key` */
  entry?: string;
}

/** A record read back from Redis that is not JSON or not of its schema. */
export class CorruptRecordError extends StateError {
  readonly source: RecordSource;

  constructor(source: RecordSource, problem: string) {
    const at = source.entry !== undefined ? `${source.key} [${source.entry}]` : source.key;
    super("CORRUPT_RECORD", `unreadable ${source.kind} record ${at}: ${problem}`, { ...source, problem });
    this.source = source;
  }
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: CorruptRecordError };

const MAX_PROBLEM = 200;

function describe(issues: readonly z.core.$ZodIssue[]): string {
  const text = issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
  return text.length > MAX_PROBLEM ? `${text.slice(0, MAX_PROBLEM - 3)}...` : text;
}

/** Parses `raw` as JSON and checks it against `schema`: the one way a record is read back. */
export function decodeRecord<S extends z.ZodType>(
  schema: S,
  raw: string,
  source: RecordSource
): Decoded<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    // the parser's message quotes the text, which may hold anything: say where, not what
    return { ok: false, error: new CorruptRecordError(source, `not JSON (${raw.length} bytes)`) };
  }
  return checkRecord(schema, json, source);
}

/** Checks an already parsed value (a record nested in another, like a run's planInput). */
export function checkRecord<S extends z.ZodType>(
  schema: S,
  value: unknown,
  source: RecordSource
): Decoded<z.output<S>> {
  const r = schema.safeParse(value);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, error: new CorruptRecordError(source, describe(r.error.issues)) };
}

/**
 * Corrupt records met by one store, counted by kind. Readers that can skip a bad entry (events,
 * series batches, bad-node fields) note it here instead of throwing; single records that a caller
 * cannot do without are noted and thrown. Listeners (the supervisor) report them.
 */
export class CorruptTally {
  readonly counts = new Map<RecordKind, number>();
  private readonly listeners: ((e: CorruptRecordError) => void)[] = [];

  note(e: CorruptRecordError): void {
    this.counts.set(e.source.kind, (this.counts.get(e.source.kind) ?? 0) + 1);
    for (const l of this.listeners) l(e);
  }

  onNote(listener: (e: CorruptRecordError) => void): void {
    this.listeners.push(listener);
  }

  /** The decoded value, or the error noted and thrown. */
  must<T>(d: Decoded<T>): T {
    if (d.ok) return d.value;
    this.note(d.error);
    throw d.error;
  }

  /** The decoded value, or the error noted and `undefined` (the caller skips the entry). */
  skip<T>(d: Decoded<T>): T | undefined {
    if (d.ok) return d.value;
    this.note(d.error);
    return undefined;
  }
}

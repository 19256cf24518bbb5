import type { ErrorCode } from "./codes.ts";

/** One problem found in a spec: where, what was received, which rule it broke. */
export interface SpecIssue {
  /** dotted field path, e.g. `training.global_batch` ("" for the document root) */
  path: string;
  /** the value received, rendered for humans (may be `undefined`) */
  received: string;
  /** the rule, in words, e.g. `is not a multiple of micro_batch × dp = 512` */
  rule: string;
  /** 1-based source position when known (YAML syntax errors, located fields) */
  line?: number;
  column?: number;
}

export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Base of every error neoxctl throws on purpose. */
export class NeoxctlError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  toJSON(): { name: string; code: ErrorCode; message: string; details: ErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** The user's run spec, cluster profile or data manifest is wrong. Carries every problem found. */
export class SpecError extends NeoxctlError {
  readonly issues: readonly SpecIssue[];

  constructor(
    code: "SPEC_INVALID" | "SPEC_YAML" | "SPEC_NOT_FOUND",
    issues: readonly SpecIssue[],
    source?: string
  ) {
    const where = source ? `${source}: ` : "";
    super(code, `${where}${issues.length} problem${issues.length === 1 ? "" : "s"} in the spec`, {
      issues,
      source
    });
    this.issues = issues;
  }
}

/** A command (local or remote) could not run or ended badly. */
export class ExecError extends NeoxctlError {}

/** Slurm refused a request, was unreachable, or answered in a shape we could not read. */
export class SlurmError extends NeoxctlError {}

/** Durable state (Redis, locks, transitions, checkpoints) is not as required. */
export class StateError extends NeoxctlError {}

/** Converts anything thrown into a NeoxctlError at a boundary (CLI, worker, HTTP handler). */
export function toNeoxctlError(err: unknown): NeoxctlError {
  if (err instanceof NeoxctlError) return err;
  if (err instanceof Error)
    return new NeoxctlError("INTERNAL", err.message, { originalName: err.name }, { cause: err });
  return new NeoxctlError("INTERNAL", `non-error thrown: ${String(err)}`);
}

/** Formats spec issues one per line, the way `neoxctl plan` prints them. */
export function formatSpecIssues(issues: readonly SpecIssue[]): string {
  return issues
    .map((i) => {
      const at =
        i.line !== undefined
          ? ` (line ${i.line}${i.column !== undefined ? `, column ${i.column}` : ""})`
          : "";
      const path = i.path === "" ? "(root)" : i.path;
      return `${path}: ${i.received} ${i.rule}${at}`;
    })
    .join("\n");
}

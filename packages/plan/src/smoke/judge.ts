import type { NetworkProfile } from "@neoxctl/core";
import type { Span } from "../estimate/estimates.ts";

/** What the canary's job and log showed, read by the CLI (job status + the log's parsed lines). */
export interface CanaryObservation {
  job: { id: string; state: string; exitCode: number | null; nodes: string[]; reason: string | null };
  /** the pre-flight's own FAIL line, when a check failed */
  preflightFailure: string | null;
  /** phase 1 (load the run's checkpoint, train, save): ms per iteration by iteration, in log order */
  phase1Steps: { step: number; ms: number }[];
  /** the step directory phase 1 reported as saved (`global_stepN`), null when none */
  savedTag: string | null;
  /** whether the job reached phase 2 (the marker line) */
  phase2Started: boolean;
  /** the model-states file phase 2 reported loading, null when it loaded nothing */
  phase2LoadedPath: string | null;
  phase2Steps: number[];
  /** RCCL's network choice as the monitor's reader saw it (transport null: no rank logged one) */
  rccl: {
    transport: string | null;
    networks: string[];
    provider: string | null;
    socketNodes: string[];
    evidence: string[];
  };
  /** the first error-looking lines (exceptions, NCCL aborts, task exits), in log order */
  errors: string[];
}

export type CheckStatus = "pass" | "fail" | "not_checked";

export interface CanaryCheck {
  status: CheckStatus;
  detail: string;
}

export interface CanaryReport {
  verdict: "go" | "no-go";
  runId: string;
  jobId: string;
  nodes: string[];
  checks: { started: CanaryCheck; rccl: CanaryCheck; checkpoint: CanaryCheck; stepTime: CanaryCheck };
  /** seconds per step: the plan's band and the canary's median (first step left out: warm-up) */
  stepTime: { expected: Span | null; measured: number | null; steps: number };
  /** the failed checks' details, in check order */
  reasons: string[];
}

/**
 * How far outside the plan's step-time band still counts as on plan. The band already spans the
 * MFU range the profile expects (e.g. 25–38 %); 1.5× slower than its slow end is below ~17 % MFU,
 * the kind of loss RCCL on TCP sockets or a wrong CPU binding causes, not noise.
 */
export const STEP_TIME_SLACK = 1.5;

export interface JudgeInput {
  runId: string;
  steps: number;
  saveDir: string;
  expectedStepS: Span | null;
  /** the profile's RCCL expectation */
  network: NetworkProfile;
  observed: CanaryObservation;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function firstError(o: CanaryObservation): string {
  const e = o.errors[0];
  return e !== undefined ? `; first error: ${e}` : "";
}

function started(o: CanaryObservation): CanaryCheck {
  if (o.preflightFailure !== null)
    return { status: "fail", detail: `pre-flight failed before any rank started: ${o.preflightFailure}` };
  const first = o.phase1Steps[0];
  if (first === undefined)
    return {
      status: "fail",
      detail: `no training step logged (job ${o.job.state}, exit ${o.job.exitCode ?? "?"})${firstError(o)}`
    };
  return {
    status: "pass",
    detail: `ranks up on ${o.job.nodes.join(",") || "?"}, first step logged (iteration ${first.step})`
  };
}

function rccl(o: CanaryObservation, expected: NetworkProfile): CanaryCheck {
  const r = o.rccl;
  if (r.transport === null)
    return {
      status: "not_checked",
      detail:
        "not checked: no rank logged RCCL's network choice (attempt 1 runs NCCL_DEBUG=INFO unless network.log_selection is never)"
    };
  const uses = `RCCL uses ${r.networks.join(" and ")}${r.provider !== null ? ` (provider ${r.provider})` : ""}`;
  const want = expected.expected_transport;
  if (want === "any")
    return { status: "pass", detail: `${uses}; the profile expects no particular transport` };
  const evidence = r.evidence[0] !== undefined ? `; ${r.evidence[0]}` : "";
  if (r.transport !== want) {
    const where = r.socketNodes.length > 0 ? ` on ${r.socketNodes.join(",")}` : "";
    return { status: "fail", detail: `${uses}${where}, the profile expects ${want}${evidence}` };
  }
  if (
    expected.expected_provider !== undefined &&
    r.provider !== null &&
    r.provider !== expected.expected_provider
  )
    return {
      status: "fail",
      detail: `${uses}, the profile expects provider ${expected.expected_provider}${evidence}`
    };
  return { status: "pass", detail: `${uses}, as the profile expects` };
}

function checkpoint(i: JudgeInput): CanaryCheck {
  const o = i.observed;
  const tag = `global_step${i.steps}`;
  if (o.savedTag !== tag)
    return {
      status: "fail",
      detail: `phase 1 did not report saving ${tag} into ${i.saveDir}${firstError(o)}`
    };
  if (!o.phase2Started)
    return { status: "fail", detail: `saved ${tag}, but the load phase never started${firstError(o)}` };
  if (o.phase2LoadedPath === null || !o.phase2LoadedPath.startsWith(`${i.saveDir}/${tag}/`))
    return {
      status: "fail",
      detail: `saved ${tag}, but phase 2 did not load it (loaded: ${o.phase2LoadedPath ?? "nothing"})${firstError(o)}`
    };
  if (!o.phase2Steps.includes(i.steps + 1))
    return {
      status: "fail",
      detail: `loaded ${tag}, but step ${i.steps + 1} was not logged after the load${firstError(o)}`
    };
  return {
    status: "pass",
    detail: `saved ${tag} into ${i.saveDir}, loaded it back and trained step ${i.steps + 1}`
  };
}

function stepTime(i: JudgeInput, measured: number | null): CanaryCheck {
  const e = i.expectedStepS;
  if (measured === null)
    return { status: "fail", detail: "fewer than 2 steps logged: no step time to compare" };
  if (e === null)
    return {
      status: "not_checked",
      detail: `${measured.toFixed(2)} s per step; the profile has no estimates to compare with`
    };
  const figures = `${measured.toFixed(2)} s per step against the plan's ${e.fast.toFixed(2)}–${e.slow.toFixed(2)} s`;
  if (measured > e.slow * STEP_TIME_SLACK)
    return { status: "fail", detail: `too slow: ${figures} (more than ${STEP_TIME_SLACK}× the slow end)` };
  if (measured < e.fast / STEP_TIME_SLACK)
    return {
      status: "fail",
      detail: `implausibly fast: ${figures} (less than the fast end / ${STEP_TIME_SLACK})`
    };
  return { status: "pass", detail: figures };
}

/** Go only when nothing failed; a check that could not be made is reported as such, never as a pass. */
export function judgeCanary(i: JudgeInput): CanaryReport {
  const o = i.observed;
  const timed = o.phase1Steps.slice(1).map((s) => s.ms / 1000);
  const measured = timed.length > 0 ? median(timed) : null;
  const checks = {
    started: started(o),
    rccl: rccl(o, i.network),
    checkpoint: checkpoint(i),
    stepTime: stepTime(i, measured)
  };
  const failed = Object.values(checks).filter((c) => c.status === "fail");
  return {
    verdict: failed.length === 0 ? "go" : "no-go",
    runId: i.runId,
    jobId: o.job.id,
    nodes: o.job.nodes,
    checks,
    stepTime: { expected: i.expectedStepS, measured, steps: timed.length },
    reasons: failed.map((c) => c.detail)
  };
}

/** The report as a person reads it. */
export function renderCanaryReport(r: CanaryReport): string {
  const mark = (c: CanaryCheck): string =>
    c.status === "pass" ? "ok  " : c.status === "fail" ? "FAIL" : "--  ";
  const notChecked = Object.entries(r.checks)
    .filter(([, c]) => c.status === "not_checked")
    .map(([k]) => k);
  return [
    `canary ${r.runId} (job ${r.jobId}): ${r.verdict.toUpperCase()}${notChecked.length > 0 ? ` (not checked: ${notChecked.join(", ")})` : ""}`,
    `  ${mark(r.checks.started)} started      ${r.checks.started.detail}`,
    `  ${mark(r.checks.rccl)} rccl         ${r.checks.rccl.detail}`,
    `  ${mark(r.checks.checkpoint)} checkpoint   ${r.checks.checkpoint.detail}`,
    `  ${mark(r.checks.stepTime)} step time    ${r.checks.stepTime.detail}`,
    ""
  ].join("\n");
}

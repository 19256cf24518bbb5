import type { JobView } from "../ports.ts";
import type { Decision } from "./decision.ts";
import type { DecisionContext } from "./context.ts";

/**
 * The batch script stopped before starting any rank because an input is missing (a checkpoint that
 * is absent or incomplete, a data file, the image, the launcher). Resubmitting would stop at the same
 * check and spend the crash budget, so a person is asked, with the script's own line as evidence.
 */
export function preflightFailure(ctx: DecisionContext, job: JobView): Decision | undefined {
  const p = ctx.obs.preflight;
  if (p === undefined) return undefined;
  const exit = job.exitCode != null ? ` (exit ${job.exitCode})` : "";
  return {
    kind: "attention",
    cancel: false,
    cause: `job ${job.jobId} ${job.state}${exit} before starting any rank: pre-flight check failed, ${p.what} missing or incomplete: ${p.path}; not retrying: fix it, then resume`,
    evidence: { slurmState: job.state, jobId: job.jobId, logLines: [p.line] }
  };
}

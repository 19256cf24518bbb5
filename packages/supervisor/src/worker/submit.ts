import { SlurmError } from "@neoxctl/core";
import type { Attempt, Evidence } from "../model.ts";
import type { Op } from "../store/run-store.ts";
import { writeAttemptFiles, renderFor } from "../adapters/render-attempt.ts";
import type { RunCycle } from "./cycle.ts";
import type { LoopDeps } from "./loop-deps.ts";
import { jobAlive } from "./job-liveness.ts";
import { ownSubmission } from "./own-submission.ts";
import { transitionOps } from "./transition.ts";

/**
 * Submits the pending attempt (phase `submitting`) once its predecessor's job is gone: adopts the
 * continuation the chain queued, or a job a crash left behind after sbatch, before it submits anew.
 */
export async function submitPending(deps: LoopDeps, c: RunCycle, attempt: Attempt): Promise<void> {
  if (attempt.phase !== "submitting") return;
  const { run, cluster, now } = c;
  const ops: Op[] = [];
  const prev = attempt.index > 1 ? await deps.store.getAttempt(run.id, attempt.index - 1) : undefined;
  if (prev?.jobId && prev.phase !== "ended") {
    const st = c.jobs.get(prev.jobId);
    if (st && jobAlive(st.state)) {
      // two jobs of one run must never write the same checkpoint directory at once
      await cluster.slurm.cancel(prev.jobId);
      return;
    }
    prev.phase = "ended";
    prev.endedAt = new Date(now).toISOString();
    prev.endState = st?.state ?? "GONE";
    ops.push(deps.store.putAttempt(run.id, prev));
  }
  // a continuation already queued behind the predecessor is adopted (planned ending) or replaced
  const chained = await deps.chain.takeOver(c, attempt);
  // a job of an earlier run under the same run id carries the same tag: only this record's nonce counts
  const found = chained.jobId
    ? undefined
    : ownSubmission(
        await cluster.slurm.findSubmissions(run.id),
        { attempt: attempt.index, nonce: attempt.nonce },
        chained.discarded
      );
  let jobId = chained.jobId ?? found?.jobId;
  const adopted = found !== undefined;
  if (!jobId) {
    const r = renderFor(run, attempt.index, attempt.params, chained.extras);
    await writeAttemptFiles(cluster.exec, run, r);
    try {
      jobId = await cluster.slurm.submit({
        scriptPath: r.scriptPath,
        cwd: run.runDir,
        runId: run.id,
        attempt: attempt.index,
        nonce: attempt.nonce
      });
    } catch (e) {
      if (e instanceof SlurmError && e.code === "SLURM_REJECTED") {
        ops.push(
          ...transitionOps(deps.store, run, run.state === "planned" ? "failed" : "needs_attention", {
            type: "submit_rejected",
            cause: `sbatch refused attempt ${attempt.index}: ${e.message}`,
            evidence: { detail: e.details as Record<string, unknown> },
            at: now,
            attempt: attempt.index
          })
        );
        run.attention = e.message;
        await deps.commit(c, ops);
        return;
      }
      throw e;
    }
  }
  attempt.phase = "submitted";
  attempt.jobId = jobId;
  ops.push(deps.store.putAttempt(run.id, attempt));
  const evidence: Evidence = {
    jobId,
    configDiff: attempt.diff,
    detail: {
      params: attempt.params,
      configDir: attempt.configDir,
      reason: attempt.reason,
      ...(adopted ? { adoptedAfterRestart: true } : {}),
      ...(chained.how ? { continuation: chained.how } : {}),
      ...(chained.extras.exitInterval !== undefined ? { exitInterval: chained.extras.exitInterval } : {})
    }
  };
  ops.push(
    ...transitionOps(deps.store, run, "queued", {
      type: "attempt_submitted",
      cause: `attempt ${attempt.index} (${attempt.reason}) submitted as job ${jobId}${describeDiff(attempt)}`,
      evidence,
      at: now,
      attempt: attempt.index
    })
  );
  await deps.commit(c, ops);
}

function describeDiff(a: Attempt): string {
  if (!a.diff.length) return "";
  return (
    ": " + a.diff.map((c) => `${c.field} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join(", ")
  );
}

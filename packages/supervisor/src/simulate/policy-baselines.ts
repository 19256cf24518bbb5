import type { AttemptPlan, Watch } from "./attempt.ts";
import { runAttempt } from "./attempt.ts";
import type { SimState } from "./state.ts";
import { humanRollbackTarget, jobNodes } from "./sim-nodes.ts";

/**
 * The two ways of running without neoxctl, played on the same failures:
 * - `human`: a person on call does everything by hand; only the time limit is covered by a job
 *   pre-queued behind the running one (common practice), everything else waits until someone notices.
 * - `slurm`: the same, plus `--requeue`: Slurm puts a job whose node failed back in the queue, and
 *   the script resumes from the newest checkpoint. Nothing watches for hangs or loss spikes.
 * A hung job holds its nodes until a person notices or its time limit ends it; a spike is trained
 * through until someone notices, then rolled back by the same rule as the policy's.
 */
export type BaselineName = "human" | "slurm";

export function playBaseline(st: SimState, which: BaselineName, guard: () => void): void {
  const humanS = (): number => st.streams.human.exp(st.model.human_delay_h * 3600);
  const queue = (): number => st.streams.queue.exp(st.model.queue_wait_h * 3600);
  const watch: Watch = { hangDelayS: humanS, noticeDelayS: humanS };
  let plan: AttemptPlan = { from: 0, exitAt: null, nodes: jobNodes(st), cause: "start", queueS: queue() };
  for (;;) {
    guard();
    const e = runAttempt(st, plan, watch);
    let from = st.newest() ?? 0;
    let queueS = queue();
    switch (e.kind) {
      case "end":
        st.done = true;
        return;
      case "limit":
        // the pre-queued job starts as soon as this one ends
        queueS = 0;
        if (e.cause === "hang") st.interruptions += 1;
        break;
      case "node":
        st.interruptions += 1;
        if (which === "human") {
          st.humanInterventions += 1;
          st.wait("human_wait", "node", humanS());
        }
        break;
      case "crash":
        st.interruptions += 1;
        st.humanInterventions += 1;
        st.wait("human_wait", "crash", humanS());
        break;
      case "hang":
        // the person noticed the stalled job (time already charged as detection) and resubmits
        st.interruptions += 1;
        st.humanInterventions += 1;
        break;
      case "spike":
        st.interruptions += 1;
        st.humanInterventions += 1;
        from = humanRollbackTarget(st, e.onset ?? e.step);
        break;
    }
    plan = { from, exitAt: null, nodes: jobNodes(st), cause: e.cause, queueS };
  }
}

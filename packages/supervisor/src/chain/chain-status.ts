import type { Run } from "../model.ts";
import type { RunStore } from "../store/run-store.ts";
import { SeriesStore } from "../store/series-store.ts";
import type { ChainRecord } from "./chain-record.ts";
import { readChain } from "./chain-record.ts";
import type { IntervalAdvice } from "./interval-advice.ts";
import { adviseInterval, describeAdvice } from "./interval-advice.ts";
import { recentStepMs, saveSecondsFromWindows } from "./step-stats.ts";
import { trainingSeconds } from "./training-time.ts";

/** What `neoxctl status` and the dashboard show about chaining and the checkpoint interval. */
export interface ChainStatus {
  chain: ChainRecord;
  /** Young/Daly advice next to the configured checkpoint_factor; null until a step and a save were measured */
  checkpointAdvice: (IntervalAdvice & { text: string }) | null;
}

export async function chainStatus(store: RunStore, run: Run): Promise<ChainStatus> {
  const chain = await readChain(store, run.id);
  const points = await new SeriesStore(store.redis, store.keys, store.corrupt).read(run.id);
  const spec = (
    run.planInput as {
      spec: { training: { log_interval: number }; checkpointing: { checkpoint_factor: number } };
    }
  ).spec;
  const samples = points
    .filter((p) => p.stepTimeMs !== undefined)
    .map((p) => ({ step: p.step, ms: p.stepTimeMs! }));
  const stepMs = recentStepMs(samples);
  const saveS = saveSecondsFromWindows(
    samples,
    spec.training.log_interval,
    spec.checkpointing.checkpoint_factor
  );
  // interruptions that lose the work since the last save; planned endings and spike rollbacks are not failures
  const failures =
    run.budgetsUsed.node + run.budgetsUsed.app + run.budgetsUsed.hang + run.budgetsUsed.timeout;
  const advice =
    stepMs !== undefined && saveS !== undefined
      ? adviseInterval({
          saveS,
          stepS: stepMs / 1000,
          observedS: trainingSeconds(points),
          failures,
          configuredFactor: spec.checkpointing.checkpoint_factor
        })
      : undefined;
  return { chain, checkpointAdvice: advice ? { ...advice, text: describeAdvice(advice) } : null };
}

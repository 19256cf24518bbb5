import type { SeriesStore } from "../store/series-store.ts";
import type { ChainManager } from "../chain/continuation.ts";
import type { Committer } from "./cycle.ts";
import type { LogReader } from "./log-reader.ts";
import type { ThroughputGuard } from "../guard/throughput.ts";
import type { Run } from "../model.ts";

/** What the supervisor keeps between cycles and hands to every step of the loop. */
export interface LoopDeps extends Committer {
  /** one log follower and observer per attempt run */
  readonly logs: LogReader;
  /** when this process first saw each attempt run RUNNING (the hang judgement's start) */
  readonly runningSince: Map<string, number>;
  readonly series: SeriesStore;
  /** pre-queued continuations and planned exits */
  readonly chain: ChainManager;
  /** the throughput guard of each run this process watches (rebuilt from new windows after a restart) */
  readonly guards: Map<string, ThroughputGuard>;
  /** the plan's step-time estimate of a run, when there is one (ms) */
  readonly stepEstimateMs?: (run: Run) => number | undefined;
}

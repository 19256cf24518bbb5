import type { Run } from "../model.ts";
import type { RunStore } from "../store/run-store.ts";
import { SeriesStore } from "../store/series-store.ts";
import type { RunGoodput } from "./account.ts";
import { accountRun } from "./account.ts";

/** The goodput split of one stored run, read from its attempts, events and training series. */
export async function readGoodput(store: RunStore, run: Run, now: number): Promise<RunGoodput> {
  const series = new SeriesStore(store.redis, store.keys, store.corrupt);
  const [attempts, events, points] = await Promise.all([
    store.attempts(run),
    store.events(run.id),
    series.read(run.id)
  ]);
  return accountRun({ run, attempts, events, points, now });
}

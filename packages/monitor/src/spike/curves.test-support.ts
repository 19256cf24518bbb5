import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES_DIR } from "../__fixtures__/paths.ts";
import { lossSeriesFromCsv } from "./loss-series.ts";
import type { Alarm, DetectorEvent, LossDetector, LossPoint, Notice } from "./types.ts";

export function loadCsv(path: string): LossPoint[] {
  return lossSeriesFromCsv(readFileSync(path, "utf8")).points;
}

export function fixtureCsv(name: string): LossPoint[] {
  return loadCsv(join(FIXTURES_DIR, "csv", name));
}

/** BigScience excerpts name their labelled spike step: `…_spike31219.csv` */
export function labelledSpikes(dir: string): { file: string; step: number }[] {
  return readdirSync(dir)
    .map((file) => ({ file, m: /_spike(\d+)\.csv$/.exec(file) }))
    .filter((x): x is { file: string; m: RegExpExecArray } => x.m !== null)
    .map(({ file, m }) => ({ file, step: Number(m[1]) }));
}

/** every event, including what the end of the input settles */
export function run(detector: LossDetector, points: readonly LossPoint[]): DetectorEvent[] {
  return [...points.flatMap((p) => detector.push(p)), ...(detector.end?.() ?? [])];
}

export function alarms(events: readonly DetectorEvent[]): Alarm[] {
  return events.filter((e): e is Alarm => e.type === "alarm");
}

export function notices(events: readonly DetectorEvent[]): Notice[] {
  return events.filter((e): e is Notice => e.type === "notice");
}

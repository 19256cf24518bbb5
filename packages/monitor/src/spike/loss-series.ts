import type { ParseFormat } from "../parse/text/parse-line.ts";
import { LineParser } from "../parse/text/parse-line.ts";
import { parsePyFloat } from "../parse/text/numbers.ts";
import type { LossPoint } from "./types.ts";

export interface LossSeries {
  points: LossPoint[];
  /** non-blank lines that no parser recognised (or CSV rows without a step) */
  unparsed: number;
  /** rows/lines with a step but no loss (Megatron omits `lm loss` when every step in the window was skipped) */
  missingLoss: number;
}

/** `step,loss[,…]` with a header naming the two columns; other columns are ignored. */
export function lossSeriesFromCsv(text: string): LossSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((h) => h.trim());
  const iStep = header.indexOf("step");
  const iLoss = header.indexOf("loss");
  const points: LossPoint[] = [];
  let unparsed = 0;
  let missingLoss = 0;
  if (iStep < 0 || iLoss < 0)
    return { points, unparsed: lines.filter((l) => l.trim() !== "").length, missingLoss };
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    const cells = line.split(",");
    const step = Number(cells[iStep]);
    if (!Number.isInteger(step)) {
      unparsed++;
      continue;
    }
    const loss = parsePyFloat(cells[iLoss] ?? "");
    if (loss === null) missingLoss++;
    else points.push({ step, loss });
  }
  return { points, unparsed, missingLoss };
}

/** Training-loss points out of a log, in file order (rewinds kept). */
export function lossSeriesFromLog(text: string, format: ParseFormat = "auto"): LossSeries {
  const parser = new LineParser(format);
  const points: LossPoint[] = [];
  let missingLoss = 0;
  for (const line of text.split(/\r?\n/)) {
    const ev = parser.parse(line);
    if (ev?.kind !== "train") continue;
    if (ev.loss === null) missingLoss++;
    else points.push({ step: ev.step, loss: ev.loss });
  }
  return { points, unparsed: parser.unparsed, missingLoss };
}

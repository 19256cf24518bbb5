import type { LogFormat } from "../events.ts";
import type { ParseFormat } from "./parse-line.ts";
import { parseLine } from "./parse-line.ts";

/**
 * Lines that look like some trainer's training line but gave no training point, by the format they
 * look like. A log whose every line is of a shape the parser does not know (a new logger prefix, a
 * renamed field) otherwise reads as "0 loss points" and nothing else, which is indistinguishable
 * from a run that has not started.
 */
export interface LineSurvey {
  trainingLines: number;
  notUnderstood: Record<LogFormat, number>;
}

/** the format a line looks like by its distinctive words, or null when it looks like none */
function lookalike(line: string): LogFormat | null {
  if (/samples\/sec|approx flops per GPU/.test(line)) return "neox";
  if (/\biteration\s+\d+\s*\/\s*\d+/.test(line) || /\blm loss\b/.test(line)) return "megatron";
  if (/\bs:\d+\b.*\btrl:/.test(line)) return "llmc";
  return null;
}

export function surveyTrainingLines(lines: readonly string[], format: ParseFormat = "auto"): LineSurvey {
  const survey: LineSurvey = { trainingLines: 0, notUnderstood: { neox: 0, megatron: 0, llmc: 0 } };
  for (const line of lines) {
    if (parseLine(line, format)?.kind === "train") {
      survey.trainingLines++;
      continue;
    }
    const looks = lookalike(line);
    if (looks !== null) survey.notUnderstood[looks]++;
  }
  return survey;
}

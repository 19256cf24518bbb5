import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { Option } from "commander";
import { NeoxctlError } from "@neoxctl/core";
import type { Alarm, DetectorEvent, LossSeries, Notice } from "@neoxctl/monitor";
import {
  lossSeriesFromCsv,
  lossSeriesFromLog,
  RobustSpikeDetector,
  surveyTrainingLines
} from "@neoxctl/monitor";
import { printLine, printText, runAction } from "../output.ts";

type SpikesFormat = "neox" | "megatron" | "llmc" | "csv" | "auto";

interface SpikesOptions {
  format: SpikesFormat;
  json: boolean;
  recoverWindow: string;
  warmupSteps: string;
}

/** JSON cannot carry NaN/Infinity: a non-finite loss or severity prints as null */
const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

const readsCsv = (text: string, path: string, format: SpikesFormat): boolean =>
  format === "csv" || (format === "auto" && (path.endsWith(".csv") || /^\s*step\s*,/.test(text)));

function readSeries(text: string, path: string, format: SpikesFormat): LossSeries {
  switch (format) {
    case "csv":
      return lossSeriesFromCsv(text);
    case "auto":
      return readsCsv(text, path, format) ? lossSeriesFromCsv(text) : lossSeriesFromLog(text, "auto");
    case "neox":
    case "megatron":
    case "llmc":
      return lossSeriesFromLog(text, format);
  }
}

/** which pass over these steps, once the log has rewound (a restart from a checkpoint) */
const segmentNote = (segment: number): string => (segment > 0 ? ` [segment ${segment}]` : "");

/** One `--json` line: `actionable` separates an alarm from a notice so neither is mistaken for the other. */
function jsonLine(e: Alarm | Notice): string {
  switch (e.type) {
    case "alarm":
      return JSON.stringify({
        step: e.step,
        kind: e.kind,
        actionable: true,
        segment: e.segment,
        loss: finite(e.loss),
        baseline: finite(e.baseline),
        severity: finite(e.severity),
        onsetStep: e.onsetStep
      });
    case "notice":
      return JSON.stringify({
        step: e.step,
        kind: e.kind,
        actionable: false,
        segment: e.segment,
        loss: finite(e.loss),
        baseline: finite(e.baseline),
        severity: finite(e.severity),
        onsetStep: e.step
      });
  }
}

/**
 * Said out loud when a log gave no training point: "no alarms" over an empty series reads as a
 * healthy run. The per-format counts tell a file of another program from lines of a shape the
 * parser does not know yet.
 */
function noPointsWarning(
  text: string,
  format: SpikesFormat,
  points: number
): { warning: string; notUnderstood: Record<string, number> } | null {
  if (points > 0) return null;
  const logFormat = format === "csv" ? null : format;
  const survey = logFormat === null ? null : surveyTrainingLines(text.split(/\r?\n/), logFormat);
  const notUnderstood: Record<string, number> = survey?.notUnderstood ?? {};
  const counts = Object.entries(notUnderstood)
    .filter(([, n]) => n > 0)
    .map(([f, n]) => `${n} ${f}-like`);
  const what = format === "csv" ? "no step,loss rows with a loss" : "no training lines";
  return {
    warning: `${what} found: nothing in this file was read as training output${counts.length ? ` (lines not understood: ${counts.join(", ")})` : ""}`,
    notUnderstood
  };
}

function describeEvent(e: DetectorEvent): string {
  switch (e.type) {
    case "alarm":
      return `${String(e.step).padStart(9)}  ${e.kind.padEnd(10)} loss ${e.loss.toPrecision(5)} baseline ${e.baseline.toPrecision(5)} x${Number.isFinite(e.severity) ? e.severity.toFixed(2) : "inf"}${e.onsetStep !== e.step ? ` (onset ${e.onsetStep})` : ""}${segmentNote(e.segment)}  ACTION`;
    case "notice":
      return `${String(e.step).padStart(9)}  ${e.kind.padEnd(10)} loss ${e.loss.toPrecision(5)} baseline ${e.baseline.toPrecision(5)} x${e.severity.toFixed(2)} one point, came straight back${segmentNote(e.segment)}  notice only`;
    case "recovered":
      return `${String(e.step).padStart(9)}  recovered  spike from ${e.onsetStep} (peak ${e.peakLoss.toPrecision(5)} at ${e.peakStep}) back in ${e.stepsToRecover} steps`;
    case "not_recovered":
      return `${String(e.step).padStart(9)}  no recovery spike from ${e.onsetStep} (peak ${e.peakLoss.toPrecision(5)} at ${e.peakStep}) still high`;
    case "rewind":
      return `${String(e.toStep).padStart(9)}  rewind     from step ${e.fromStep} (restart)`;
  }
}

export function register(program: Command): void {
  program
    .command("spikes <file>")
    .description(
      "Run the log parser and the loss-spike detector over a training log or a step,loss CSV and print the alarms"
    )
    .addOption(
      new Option("--format <format>", "input format")
        .choices(["neox", "megatron", "llmc", "csv", "auto"])
        .default("auto")
    )
    .option("--json", "one JSON object per alarm, then a summary line", false)
    .option(
      "--recover-window <steps>",
      "steps within which a spike must come back to count as recovered",
      "50"
    )
    .option("--warmup-steps <steps>", "no spike/divergence alarms below this step", "0")
    .action(async (file: string, opts: SpikesOptions) =>
      runAction(opts.json, async () => {
        let text: string;
        try {
          text = await readFile(file, "utf8");
        } catch (err) {
          throw new NeoxctlError("SPEC_NOT_FOUND", `cannot read ${file}: ${(err as Error).message}`, {
            file
          });
        }
        const series = readSeries(text, file, opts.format);
        const detector = new RobustSpikeDetector({
          recoverWindowSteps: Number(opts.recoverWindow),
          warmupSteps: Number(opts.warmupSteps)
        });
        const events = [...series.points.flatMap((p) => detector.push(p)), ...detector.end()];
        const flagged = events.filter((e): e is Alarm | Notice => e.type === "alarm" || e.type === "notice");
        const summary = {
          points: series.points.length,
          unparsedLines: series.unparsed,
          missingLoss: series.missingLoss,
          alarms: flagged.filter((e) => e.type === "alarm").length,
          notices: flagged.filter((e) => e.type === "notice").length,
          rewinds: events.filter((e) => e.type === "rewind").length,
          ...noPointsWarning(
            text,
            readsCsv(text, file, opts.format) ? "csv" : opts.format,
            series.points.length
          )
        };
        if (opts.json) {
          for (const e of flagged) printLine(jsonLine(e));
          printLine(JSON.stringify({ summary }));
          return;
        }
        if (summary.warning !== undefined) printLine(`warning: ${summary.warning}`, process.stderr);
        const shown = events.filter((e) => e.type !== "rewind" || events.length < 200);
        printText(
          shown.length === 0 ? "no alarms\n" : `     step  event\n${shown.map(describeEvent).join("\n")}\n`
        );
        printText(
          `${summary.points} loss points, ${summary.alarms} alarm(s), ${summary.notices} notice(s), ${summary.rewinds} rewind(s), ${summary.unparsedLines} unparsed line(s)${summary.missingLoss ? `, ${summary.missingLoss} without a loss` : ""}\n`
        );
      })
    );
}

import type { Command } from "commander";
import { describeGraph, graphProgress, openStore } from "@neoxctl/supervisor";
import { printJson, printLine, runAction } from "../output.ts";
import { checkRunId } from "../run-arg.ts";

export function register(program: Command): void {
  program
    .command("events")
    .description("Show a run's event log: every transition and decision with its cause and evidence")
    .argument("<run>", "run id")
    .option("--json", "print JSON")
    .action(async (runId: string, opts: { json?: boolean }) =>
      runAction(opts.json === true, async () => {
        checkRunId(runId);
        const { store, close } = await openStore();
        try {
          const run = await store.mustGetRun(runId);
          // stream ids follow the order of commits; the event's own time is what a reader orders by
          const events = [...(await store.events(runId))].sort(
            (a, b) => Date.parse(a.time) - Date.parse(b.time)
          );
          if (opts.json === true) return printJson(events);
          for (const e of events) {
            const move = e.from || e.to ? ` [${e.from ?? ""}→${e.to ?? ""}]` : "";
            printLine(
              `${e.time}  ${e.type}${move}${e.attempt !== undefined ? ` attempt ${e.attempt}` : ""}${e.actor !== undefined ? ` by ${e.actor}` : ""}: ${e.cause}`
            );
            for (const c of e.evidence.configDiff ?? [])
              printLine(`    ${c.field}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`);
            for (const l of e.evidence.logLines ?? []) printLine(`    | ${l.trim()}`);
          }
          // where the job graph stands now (its step events are above)
          if (run.graph) printLine(`graph: ${describeGraph(graphProgress(run.graph))}`);
        } finally {
          close();
        }
      })
    );
}

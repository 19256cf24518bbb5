import type { Command } from "commander";
import { createExecutor } from "@neoxctl/exec";
import type { Executor } from "@neoxctl/exec";
import { execTargetOf, openStore } from "@neoxctl/supervisor";
import { printLine, runAction } from "../output.ts";
import { LogPrinter } from "../log-printer.ts";
import { checkRunId } from "../run-arg.ts";

export function register(program: Command): void {
  program
    .command("logs")
    .description("Print the training log of a run's current attempt (-f follows it across attempts)")
    .argument("<run>", "run id")
    .option("-f, --follow", "keep printing new output, moving on to new attempts")
    .action(async (runId: string, opts: { follow?: boolean }) =>
      runAction(false, async () => {
        checkRunId(runId);
        const { store, close } = await openStore();
        const printer = new LogPrinter();
        let exec: Executor | undefined;
        try {
          let run = await store.mustGetRun(runId);
          exec = await createExecutor(
            execTargetOf((run.planInput as { profile?: { access?: unknown } }).profile?.access)
          );
          let index = run.attempts;
          let offset = 0;
          for (;;) {
            const a = await store.getAttempt(runId, index);
            if (a) {
              const { data } = await exec.readFrom(a.logPath, offset);
              offset += data.length;
              printer.push(data);
            }
            if (opts.follow !== true) return printer.flush();
            run = await store.mustGetRun(runId);
            if (run.attempts > index) {
              index = run.attempts;
              offset = 0;
              printer.flush();
              printLine(`\n--- attempt ${index} ---`);
            } else if (run.state === "completed" || run.state === "failed" || run.state === "cancelled")
              return printer.flush();
            await new Promise((r) => setTimeout(r, 1000));
          }
        } finally {
          await exec?.close();
          close();
        }
      })
    );
}

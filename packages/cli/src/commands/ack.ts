import type { Command } from "commander";
import { openStore, requestControl } from "@neoxctl/supervisor";
import { printJson, runAction } from "../output.ts";

export function register(program: Command): void {
  program
    .command("ack")
    .description("Acknowledge a run that needs attention: reset its budgets and crash-loop count, then resume (carried out by the supervisor holding the run)")
    .argument("<run>", "run id")
    .option("--json", "print the queued request as JSON")
    .action(async (runId: string, opts: { json?: boolean }) =>
      runAction(opts.json === true, async () => {
        const { store, close } = await openStore();
        try {
          const cmd = await requestControl(store, runId, { kind: "ack" });
          if (opts.json === true) printJson(cmd);
          else process.stdout.write(`ack requested for ${runId} (request ${cmd.id}); see \`neoxctl events ${runId}\`\n`);
        } finally {
          close();
        }
      })
    );
}

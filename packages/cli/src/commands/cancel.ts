import type { Command } from "commander";
import { openStore, requestControl } from "@neoxctl/supervisor";
import { printJson, runAction } from "../output.ts";

export function register(program: Command): void {
  program
    .command("cancel")
    .description("Cancel a run: its job is cancelled and the run ends as cancelled (carried out by the supervisor holding the run)")
    .argument("<run>", "run id")
    .option("--json", "print the queued request as JSON")
    .action(async (runId: string, opts: { json?: boolean }) =>
      runAction(opts.json === true, async () => {
        const { store, close } = await openStore();
        try {
          const cmd = await requestControl(store, runId, { kind: "cancel" });
          if (opts.json === true) printJson(cmd);
          else process.stdout.write(`cancel requested for ${runId} (request ${cmd.id}); see \`neoxctl events ${runId}\`\n`);
        } finally {
          close();
        }
      })
    );
}

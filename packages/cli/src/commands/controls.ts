import type { Command } from "commander";
import { SpecError } from "@neoxctl/core";
import { NodeNameSchema, openStore, requestControl } from "@neoxctl/supervisor";
import { printJson, printLine, runAction } from "../output.ts";
import { checkRunId } from "../run-arg.ts";
import { cliActor } from "../actor.ts";

type SimpleControl = "ack" | "cancel" | "resume";

const DESCRIPTIONS: Record<SimpleControl, string> = {
  ack: "Acknowledge a run that needs attention: reset its budgets and crash-loop count, then resume",
  cancel: "Cancel a run: its job is cancelled and the run ends as cancelled",
  resume: "Resume a run that needs attention from its newest complete checkpoint"
};

/**
 * The manual controls that take nothing but a run id. Each is queued in Redis and carried out by
 * the supervisor holding the run, which records the outcome as an event.
 */
export function register(program: Command): void {
  for (const kind of Object.keys(DESCRIPTIONS) as SimpleControl[]) {
    program
      .command(kind)
      .description(`${DESCRIPTIONS[kind]} (carried out by the supervisor holding the run)`)
      .argument("<run>", "run id")
      .option("--json", "print the queued request as JSON")
      .action(async (runId: string, opts: { json?: boolean }) =>
        runAction(opts.json === true, async () => {
          checkRunId(runId);
          const { store, close } = await openStore();
          try {
            const cmd = await requestControl(store, runId, { kind, actor: cliActor() });
            if (opts.json === true) printJson(cmd);
            else
              printLine(
                `${kind} requested for ${runId} (request ${cmd.id}); see \`neoxctl events ${runId}\``
              );
          } finally {
            close();
          }
        })
      );
  }
  program
    .command("exclude")
    .description(
      "Exclude a node from a run (blamed like a failed node) and restart from the newest complete checkpoint without it (carried out by the supervisor holding the run)"
    )
    .argument("<run>", "run id")
    .argument("<node>", "Slurm node name, e.g. nid005613")
    .option("--json", "print the queued request as JSON")
    .action(async (runId: string, node: string, opts: { json?: boolean }) =>
      runAction(opts.json === true, async () => {
        checkRunId(runId);
        if (!NodeNameSchema.safeParse(node).success)
          throw new SpecError("SPEC_INVALID", [
            { path: "<node>", received: node, rule: "a node name such as nid005613" }
          ]);
        const { store, close } = await openStore();
        try {
          const cmd = await requestControl(store, runId, { kind: "exclude", node, actor: cliActor() });
          if (opts.json === true) printJson(cmd);
          else
            printLine(
              `exclude ${node} requested for ${runId} (request ${cmd.id}); see \`neoxctl events ${runId}\``
            );
        } finally {
          close();
        }
      })
    );
}

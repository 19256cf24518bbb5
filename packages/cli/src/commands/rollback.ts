import type { Command } from "commander";
import { SpecError } from "@neoxctl/core";
import { openStore, requestControl } from "@neoxctl/supervisor";
import { printJson, printLine, runAction } from "../output.ts";
import { checkRunId } from "../run-arg.ts";
import { cliActor } from "../actor.ts";

interface RollbackOptions {
  toStep: string;
  lrFactor?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("rollback")
    .description(
      "Roll a run back to a complete checkpoint, optionally scaling the LR (the scheduler is overridden)"
    )
    .argument("<run>", "run id")
    .requiredOption("--to-step <n>", "iteration of a complete checkpoint")
    .option("--lr-factor <f>", "multiply the current LR by this factor (0 < f <= 1)")
    .option("--json", "print the queued request as JSON")
    .action(async (runId: string, opts: RollbackOptions) =>
      runAction(opts.json === true, async () => {
        checkRunId(runId);
        const toStep = Number(opts.toStep);
        if (!Number.isInteger(toStep) || toStep < 0)
          throw new SpecError("SPEC_INVALID", [
            { path: "--to-step", received: opts.toStep, rule: "must be a non-negative integer" }
          ]);
        const lrFactor = opts.lrFactor === undefined ? undefined : Number(opts.lrFactor);
        if (lrFactor !== undefined && !(lrFactor > 0 && lrFactor <= 1))
          throw new SpecError("SPEC_INVALID", [
            { path: "--lr-factor", received: String(opts.lrFactor), rule: "must be in (0, 1]" }
          ]);
        const { store, close } = await openStore();
        try {
          const cmd = await requestControl(store, runId, {
            kind: "rollback",
            toStep,
            actor: cliActor(),
            ...(lrFactor !== undefined ? { lrFactor } : {})
          });
          if (opts.json === true) printJson(cmd);
          else printLine(`rollback to step ${toStep} requested for ${runId} (request ${cmd.id})`);
        } finally {
          close();
        }
      })
    );
}

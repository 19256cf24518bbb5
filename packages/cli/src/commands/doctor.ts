import type { Command } from "commander";
import { SpecError } from "@neoxctl/core";
import { printJson, printText, runAction } from "../output.ts";
import { formatDoctor, runDoctor } from "../doctor-checks.ts";

interface DoctorOptions {
  json?: boolean;
  cluster: string[];
  wedgedFactor?: string;
  tokensFile?: string;
}

export function register(program: Command): void {
  program
    .command("doctor")
    .description(
      "Check Redis, each cluster's reachability (those of the active runs and any --cluster), the live supervisors, wedged supervisors and stuck leases; exits 1 when something is wrong"
    )
    .option("--json", "print one JSON document")
    .option(
      "--cluster <name|file>",
      "also reach this cluster profile (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      []
    )
    .option(
      "--wedged-factor <k>",
      "a supervisor holding leases is wedged when its last cycle is older than k poll intervals (default 10)"
    )
    .option(
      "--tokens-file <file>",
      "the dashboard's named tokens file to check for legacy SHA-256 entries (else $NEOXCTL_DASHBOARD_TOKENS_FILE)"
    )
    .addHelpText(
      "after",
      "\nEnvironment: NEOXCTL_REDIS_URL (default redis://127.0.0.1:6379), NEOXCTL_REDIS_PREFIX (default neoxctl:), NEOXCTL_DASHBOARD_TOKENS_FILE and NEOXCTL_DASHBOARD_TOKENS (tokens to check)."
    )
    .action(async (opts: DoctorOptions) =>
      runAction(opts.json === true, async () => {
        let wedgedFactor: number | undefined;
        if (opts.wedgedFactor !== undefined) {
          wedgedFactor = Number(opts.wedgedFactor);
          if (!(wedgedFactor > 0))
            throw new SpecError("SPEC_INVALID", [
              { path: "--wedged-factor", received: opts.wedgedFactor, rule: "must be a positive number" }
            ]);
        }
        const report = await runDoctor({
          profiles: opts.cluster,
          ...(opts.tokensFile !== undefined ? { tokensFile: opts.tokensFile } : {}),
          ...(wedgedFactor !== undefined ? { wedgedFactor } : {})
        });
        if (opts.json === true) printJson(report);
        else printText(formatDoctor(report));
        if (!report.ok) process.exitCode = 1;
      })
    );
}

import { resolve } from "node:path";
import type { Command } from "commander";
import { SpecError, runResilience, sizeInGcds, slurmTimeMinutes } from "@neoxctl/core";
import type { SpecIssue } from "@neoxctl/core";
import { FailureModelSchema, SimRunSchema, simulate } from "@neoxctl/supervisor";
import type { FailureModel, SimRun } from "@neoxctl/supervisor";
import { printJson, printText, runAction } from "../output.ts";
import { planRun } from "@neoxctl/plan";
import { loadPlanInputs } from "./plan.ts";
import { renderSimReport } from "./simulate-report.ts";

interface SimulateOptions {
  cluster?: string;
  json?: boolean;
  seeds: string;
  stepS: string;
  saveS?: string;
  startupS?: string;
  intervals?: string;
  nodeMtbfH?: string;
  crashMtbfH?: string;
  hangMtbfH?: string;
  spikesPer1000?: string;
  spikeSelfRecover?: string;
  queueWaitH?: string;
  humanDelayH?: string;
  spareNodes?: string;
}

/**
 * Step time of Llama 3 8B on 512 MI250X GCDs when the plan gives none: 6 × 8.0e9 parameters ×
 * 16.8M tokens per step ≈ 8.1e17 FLOP, at 35 % of a GCD's 191.5 TFLOP/s bf16 peak ≈ 24 s.
 */
const DEFAULT_STEP_S = "24";

function num(name: string, raw: string | undefined, issues: SpecIssue[]): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v)) {
    issues.push({ path: name, received: raw, rule: "must be a number" });
    return undefined;
  }
  return v;
}

/** The flag a schema field comes from (the spec's own fields keep their spec path). */
function flagOf(field: string): string {
  switch (field) {
    case "spikes_per_1000_steps":
      return "--spikes-per-1000";
    case "resilience.spare_nodes":
      return "--spare-nodes";
    case "train_iters":
    case "checkpoint_factor":
    case "lr":
    case "nodes":
    case "gpus_per_node":
    case "limit_s":
      return `spec: ${field}`;
    default:
      return `--${field.replaceAll("_", "-")}`;
  }
}

function check<T>(
  parsed:
    | { success: true; data: T }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
  issues: SpecIssue[]
): T | undefined {
  if (parsed.success) return parsed.data;
  for (const i of parsed.error.issues)
    issues.push({
      path: flagOf(i.path.map(String).join(".")),
      received: "",
      rule: i.message
    });
  return undefined;
}

export function register(program: Command): void {
  program
    .command("simulate")
    .description(
      "Simulate the whole run many times (failures, hangs, spikes, queue waits, time limits) under neoxctl's real recovery policy and two baselines; report effective training time and recommend a checkpoint interval"
    )
    .argument("<spec>", "run spec YAML")
    .option("--cluster <name|file>", "cluster profile (default: the spec's cluster.profile)")
    .option("--seeds <n>", "simulated runs per policy", "100")
    .option(
      "--step-s <s>",
      "seconds per training step (default: 24, Llama 3 8B on 512 MI250X GCDs at 35 % MFU)",
      DEFAULT_STEP_S
    )
    .option(
      "--save-s <s>",
      "one blocking checkpoint save, seconds (default: the plan's save-time estimate, else 60)"
    )
    .option("--startup-s <s>", "job start to first iteration, seconds (default 300)")
    .option(
      "--intervals <steps,…>",
      "checkpoint intervals to sweep (default: around the spec's and Young/Daly's)"
    )
    .option("--node-mtbf-h <h>", "mean hours between hardware failures of one node (default 5000)")
    .option("--crash-mtbf-h <h>", "mean node-hours between application crashes (default 40000)")
    .option("--hang-mtbf-h <h>", "mean node-hours between collective hangs (default 40000)")
    .option("--spikes-per-1000 <n>", "loss spikes per 1,000 steps (default 0.1)")
    .option("--spike-self-recover <f>", "fraction of spikes that recover by themselves (default 0.5)")
    .option("--queue-wait-h <h>", "mean queue wait of a fresh submission (default 0.5)")
    .option("--human-delay-h <h>", "mean time for a person to notice and act (default 6)")
    .option(
      "--spare-nodes <n>",
      "spare nodes per job for in-job restarts after node failures (default: the spec's resilience.spare_nodes)"
    )
    .option("--json", "print the report as JSON")
    .action(async (specArg: string, opts: SimulateOptions) =>
      runAction(opts.json === true, async () => {
        const { spec, profile, manifest } = await loadPlanInputs(resolve(specArg), opts.cluster);
        // the plan's own save time (checkpoint size over the profile's write rate, docs/estimates.md)
        const planSaveS = planRun({ spec, profile, manifest }).estimates.timing?.saveS;
        const saveS =
          opts.saveS ?? (planSaveS !== undefined ? String(Math.round(planSaveS * 10) / 10) : undefined);
        const issues: SpecIssue[] = [];
        const seeds = num("--seeds", opts.seeds, issues);
        if (seeds !== undefined && !(Number.isInteger(seeds) && seeds >= 1 && seeds <= 100_000))
          issues.push({ path: "--seeds", received: opts.seeds, rule: "a whole number from 1 to 100000" });
        const intervals = (opts.intervals ?? "")
          .split(",")
          .filter((s) => s.trim() !== "")
          .map((s) => num("--intervals", s, issues) ?? 0);
        if (intervals.some((i) => !(Number.isInteger(i) && i > 0)))
          issues.push({
            path: "--intervals",
            received: opts.intervals ?? "",
            rule: "positive whole step counts"
          });
        const limit =
          profile.scheduler.supports_time_min && spec.cluster.time_min !== undefined
            ? spec.cluster.time_min
            : spec.cluster.time;
        const run = check<SimRun>(
          SimRunSchema.safeParse({
            train_iters: spec.training.train_iters,
            checkpoint_factor: spec.checkpointing.checkpoint_factor,
            nodes: Math.ceil(sizeInGcds(spec.cluster.size, profile.gcds_per_node) / profile.gcds_per_node),
            gpus_per_node: profile.gcds_per_node,
            lr: spec.training.lr,
            step_s: num("--step-s", opts.stepS, issues),
            save_s: num("--save-s", saveS, issues),
            startup_s: num("--startup-s", opts.startupS, issues),
            limit_s: slurmTimeMinutes(limit) * 60,
            resilience: {
              ...runResilience(spec),
              ...(opts.spareNodes !== undefined
                ? { spare_nodes: num("--spare-nodes", opts.spareNodes, issues) }
                : {})
            }
          }),
          issues
        );
        const model = check<FailureModel>(
          FailureModelSchema.safeParse({
            node_mtbf_h: num("--node-mtbf-h", opts.nodeMtbfH, issues),
            crash_mtbf_h: num("--crash-mtbf-h", opts.crashMtbfH, issues),
            hang_mtbf_h: num("--hang-mtbf-h", opts.hangMtbfH, issues),
            spikes_per_1000_steps: num("--spikes-per-1000", opts.spikesPer1000, issues),
            spike_self_recover: num("--spike-self-recover", opts.spikeSelfRecover, issues),
            queue_wait_h: num("--queue-wait-h", opts.queueWaitH, issues),
            human_delay_h: num("--human-delay-h", opts.humanDelayH, issues)
          }),
          issues
        );
        if (issues.length || !run || !model || seeds === undefined)
          throw new SpecError("SPEC_INVALID", issues);
        const report = simulate({ run, model, seeds, intervals });
        if (opts.json) printJson({ name: spec.name, ...report });
        else
          printText(
            renderSimReport(spec.name, report) +
              (opts.saveS === undefined && planSaveS !== undefined
                ? `save time from the plan's estimate (checkpoint size over estimates.checkpoint_write_gb_s_per_node; --save-s to change)\n`
                : "")
          );
      })
    );
}

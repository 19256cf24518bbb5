import { SpecError } from "@neoxctl/core";
import type { Plan } from "./types.ts";
import { shellQuote } from "./shell-quote.ts";
import { fillTemplate } from "./templates/fill-template.ts";
import { templateText } from "./templates/template-files.ts";

/** Where the plan writes the per-rank launcher and deepy's argument builder, relative to the run dir. */
export const RANK_LAUNCHER = "launch/rank.sh";
export const DEEPY_ARGV = "launch/deepy-argv.py";

/** The program a rank runs and the one that renders train.py's argv, as argv prefixes (shell-quoted). */
export function rankPrograms(plan: Plan): {
  train: string;
  argv: string;
  userScript: string;
  workdir: string;
  /** commands that build, once, what NeoX would otherwise build on every node or rank */
  prebuild: string[];
} {
  const launcher = plan.profile.launcher;
  switch (launcher.kind) {
    case "deepy": {
      // `/` is a valid checkout path; its files are /train.py, not //train.py
      const neox = launcher.neox_dir.replace(/\/+$/, "");
      const python = shellQuote(launcher.python);
      return {
        train: `${python} -u`,
        argv: `${python} "\${RUN_DIR}"/${DEEPY_ARGV} ${shellQuote(neox || "/")}`,
        userScript: shellQuote(`${neox}/train.py`),
        // deepy's srun step inherits deepy's working directory, the NeoX checkout
        workdir: shellQuote(neox || "/"),
        prebuild: [
          // megatron/initialize.py runs this make on local rank 0 of every node; once built it is a no-op
          `    make -C ${shellQuote(`${neox}/megatron/data`)}`,
          // without apex NeoX takes DeepSpeed's FusedAdam, JIT-built on first use into TORCH_EXTENSIONS_DIR
          // (megatron/training.py); a failure here is only a warning: with apex it is never needed
          `    ${python} -c 'from deepspeed.ops.op_builder import FusedAdamBuilder; FusedAdamBuilder().load()' ||`,
          "      echo 'neoxctl-preflight: WARN prebuild: FusedAdam did not build; each rank will try'"
        ]
      };
    }
    case "emulator": {
      if (plan.repoRoot === null) {
        throw new SpecError("SPEC_INVALID", [
          {
            path: "cluster.profile",
            received: plan.profile.name,
            rule: "uses the emulator launcher, which needs the neoxctl repository path (repoRoot)"
          }
        ]);
      }
      const bin = `${plan.repoRoot}/packages/emulator/bin`;
      return {
        train: `node ${shellQuote(`${bin}/neox-emulator.js`)}`,
        argv: `node ${shellQuote(`${bin}/neox-deepy-argv.js`)}`,
        userScript: "train.py",
        workdir: '"${RUN_DIR}"',
        prebuild: ["    true"]
      };
    }
  }
}

/** Lines that activate the image's Python environment (shared with the graph's step scripts). */
export function activation(plan: Plan): string[] {
  const e = plan.profile.environment;
  const lines: string[] = [];
  if (e.activate_var !== undefined)
    lines.push(
      `: "\${${e.activate_var}:?neoxctl: ${e.activate_var} is not set inside the image, cannot activate its environment}"`,
      `eval "\${${e.activate_var}}"`
    );
  if (e.venv !== undefined) lines.push(`source ${shellQuote(`${e.venv}/bin/activate`)}`);
  return lines.length === 0
    ? []
    : // activation scripts read unset variables, which -u would turn into an error
      ["set +u", ...lines, "set -u"];
}

/**
 * The script every rank runs (inside the container when there is one). `argv OUT CONFIG…` writes
 * train.py's argument list, one per line, as deepy.py would have passed it (run once before srun);
 * `train ARGV_FILE` runs one rank. RANK/LOCAL_RANK/WORLD_SIZE come from Slurm as NeoX's
 * `deepspeed_slurm` maps them (megatron/neox_arguments/arguments.py `configure_distributed_args`);
 * the LUMI AI guide exports them inside the container the same way, because the SLURM_* variables
 * only exist inside the job step.
 */
export function renderRankLauncher(plan: Plan, header: string): string {
  const p = rankPrograms(plan);
  const env = plan.profile.environment.env;
  const setup = [...activation(plan), ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`)];
  return fillTemplate(
    templateText("launch/rank.sh"),
    {
      header,
      environment: setup.map((l) => `${l}\n`).join(""),
      argv: p.argv,
      user_script: p.userScript,
      prebuild: p.prebuild.join("\n"),
      workdir: p.workdir,
      train: p.train
    },
    "templates/launch/rank.sh"
  );
}

/**
 * deepy.py's own argument building without its launcher: NeoX parses and validates the configs
 * (`NeoXArgs.consume_deepy_args`, reading sys.argv like deepy.py does), builds the DeepSpeed runner
 * argv (`get_deepspeed_main_args`), and everything from the user script on is what DeeperSpeed's
 * runner would append after `<python> -u` on every node. Cutting at the script follows the LUMI fork
 * Vmjkom/gpt-neox (`run.py`, `strip_launcher_args`). Run once, so 512 ranks do not each parse.
 */
export function renderDeepyArgv(header: string): string {
  return fillTemplate(templateText("launch/deepy-argv.py"), { header }, "templates/launch/deepy-argv.py");
}

import type { SpecIssue } from "@neoxctl/core";
import type { ClusterProfile } from "@neoxctl/core";

/**
 * Launch combinations that cannot start a single rank. deepy.py hands over to DeeperSpeed's Slurm
 * runner, which first looks for `sinfo` and then builds `srun -n <slots> … <sys.executable> -u
 * train.py …` (EleutherAI/DeeperSpeed@91d1c55ba037b5ada99ae14884dff87a4dc5b9ea
 * deepspeed/launcher/multinode_runner.py `SlurmRunner`, runner.py). Inside a Singularity image there
 * are no Slurm commands, and bound in, srun would start the image's Python path on the bare host
 * (the question of EleutherAI/gpt-neox#1310, from a LUMI user). The LUMI AI guide puts srun in
 * front of singularity instead (github.com/Lumi-supercomputer/LUMI-AI-Guide, 05-multi-gpu-and-node).
 */
export function launchIssues(profile: ClusterProfile): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const mode = profile.launch.mode;
  switch (mode) {
    case "deepy_host":
      if (profile.container.kind === "singularity")
        issues.push({
          path: "cluster.profile.launch.mode",
          received: `deepy_host with container ${profile.container.image}`,
          rule: "deepy.py cannot run inside a container: its Slurm runner needs sinfo/srun and starts its own Python on every node; use launch.mode per_rank"
        });
      if (profile.launcher.kind === "emulator")
        issues.push({
          path: "cluster.profile.launch.mode",
          received: "deepy_host with the emulator launcher",
          rule: "the emulator is started per rank; use launch.mode per_rank"
        });
      if (
        profile.environment.activate_var !== undefined ||
        profile.environment.venv !== undefined ||
        profile.environment.overlays.length > 0 ||
        Object.keys(profile.environment.env).length > 0
      )
        issues.push({
          path: "cluster.profile.environment",
          received: "activation, venv, overlays or env",
          rule: "describe the environment inside a rank, which only launch.mode per_rank starts; with deepy_host activate it before the batch script"
        });
      return issues;
    case "per_rank":
      if (profile.container.kind === "none" && profile.environment.overlays.length > 0)
        issues.push({
          path: "cluster.profile.environment.overlays",
          received: profile.environment.overlays.join(","),
          rule: "overlays need a container (container.kind singularity)"
        });
      return issues;
  }
}

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { PythonError } from "./config/python-error.ts";

/** Python's shutil.which: the first executable regular file of that name in PATH. */
export function which(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) {
        accessSync(p, constants.X_OK);
        return p;
      }
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * What deepy.py does before any rank starts under `launcher: slurm`: DeeperSpeed's runner asks
 * `SlurmRunner.backend_exists()` (`shutil.which('sinfo')`) and raises `RuntimeError: launcher 'slurm'
 * not installed.` when it is missing — the fate of deepy inside a Singularity image, which has no
 * Slurm commands (EleutherAI/DeeperSpeed deepspeed/launcher/runner.py `main`, multinode_runner.py).
 * Only checked inside a Slurm job: outside one, the emulator is a single local process for tests.
 */
export function checkDeepyLauncher(launcher: string, env: NodeJS.ProcessEnv): void {
  if (launcher !== "slurm" || env["SLURM_JOB_ID"] === undefined) return;
  if (which("sinfo", env) !== null) return;
  throw new PythonError(
    "RuntimeError",
    "launcher 'slurm' not installed.",
    [],
    [
      { file: "/gpt-neox/deepy.py", line: 38, func: "<module>" },
      {
        file: "/opt/conda/lib/python3.10/site-packages/deepspeed/launcher/runner.py",
        line: 583,
        func: "main"
      }
    ]
  );
}

import { z } from "zod";
import { AbsolutePathSchema } from "./paths.ts";
import { refuseProtoKey } from "./proto-key.ts";

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * How the ranks start. `per_rank`: the batch script runs `srun` on the host, one task per GCD, and
 * each task enters the container and runs NeoX's train.py with the arguments deepy would have built
 * (the pattern of the LUMI AI guide and of LUMI NeoX forks). `deepy_host`: the batch script runs
 * deepy.py, which builds its own `srun`; only possible where deepy's Python is visible on the host,
 * because DeeperSpeed's Slurm runner needs `sinfo`/`srun` and starts `sys.executable` on every node.
 */
export const LaunchSchema = z
  .object({
    mode: z
      .enum(["per_rank", "deepy_host"])
      .default("per_rank")
      .describe("per_rank: srun on the host starts each rank; deepy_host: deepy.py on the batch host")
  })
  .strict();

const ModuleNameSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.+/-]{0,127}$/, {
  error: "must be a module name such as singularity-AI-bindings or rocm/6.2.4"
});

/**
 * The software environment of a rank: host modules loaded before `srun`, and what the rank launcher
 * does inside the container before it starts Python.
 */
export const EnvironmentSchema = z
  .object({
    module_use: z
      .array(AbsolutePathSchema)
      .default([])
      .describe("directories for `module use`, in order, before the modules are loaded"),
    modules: z
      .array(ModuleNameSchema)
      .default([])
      .describe("host modules loaded in the batch script before srun (e.g. the Singularity bindings)"),
    activate_var: z
      .string()
      .regex(ENV_NAME)
      .optional()
      .describe(
        "variable set inside the image whose value activates its Python environment (LUMI: WITH_CONDA); evaluated first"
      ),
    venv: AbsolutePathSchema.optional().describe(
      "virtual environment on top of the image with NeoX's requirements; its bin/activate is sourced"
    ),
    overlays: z
      .array(AbsolutePathSchema)
      .default([])
      .describe("squashfs/ext3 overlays given to `singularity exec --overlay` (read-only)"),
    env: refuseProtoKey(z.record(z.string().regex(ENV_NAME), z.string()).default({})).describe(
      "variables exported inside the container, after activation"
    )
  })
  .strict();

export type LaunchProfile = z.infer<typeof LaunchSchema>;
export type EnvironmentProfile = z.infer<typeof EnvironmentSchema>;

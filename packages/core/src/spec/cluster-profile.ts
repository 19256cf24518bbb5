import { z } from "zod";
import { SafeIdSchema } from "./run-spec.ts";
import { SlurmTimeSchema } from "./slurm-time.ts";
import { SlurmWordSchema } from "./slurm-word.ts";
import { AbsolutePathSchema, BindSchema, ContainerImageSchema, ProgramSchema } from "./paths.ts";
import { refuseProtoKey } from "./proto-key.ts";
import { EstimatesProfileSchema } from "./estimates-profile.ts";
import { EnvironmentSchema, LaunchSchema } from "./launch-profile.ts";

const posInt = z.number().int().positive();

const SchedulerSchema = z
  .object({
    partition: SlurmWordSchema,
    account_required: z.boolean().default(false),
    gpus_per_node: SlurmWordSchema.nullable().describe(
      "value of --gpus-per-node (e.g. `8` or `mi250:8`); null where there are no GPUs to request"
    ),
    ntasks_per_node: posInt.describe("Slurm tasks per node: one per GCD (a test cluster may declare fewer)"),
    cpus_per_task: posInt,
    mem: SlurmWordSchema.optional().describe("value of --mem (`0` = all of the node)"),
    exclusive: z.boolean().default(true),
    max_nodes: posInt.describe("largest job the partition accepts"),
    max_time: SlurmTimeSchema,
    time_limits: z
      .array(
        z
          .object({
            max_nodes: posInt.describe("this limit holds for jobs of up to this many nodes"),
            max_time: SlurmTimeSchema
          })
          .strict()
      )
      .default([])
      .describe(
        "wall-time limits by job size, smallest first: a job of N nodes may run the max_time of the first entry with N <= max_nodes (OLCF's batch bins)"
      ),
    supports_time_min: z.boolean().default(true),
    accounting: z.boolean().describe("whether sacct works (the monitor relies on it)"),
    extra_directives: z
      // sbatch splits an #SBATCH line at whitespace and honours quotes, so either would smuggle in further options
      .array(
        z.string().regex(/^--[a-z][a-z-]*(=[^\s'"\\]+)?$/, {
          error: "must be one option --name or --name=value, without spaces, quotes or backslashes"
        })
      )
      .default([])
      .describe("further #SBATCH options")
  })
  .strict();

export const AccessSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("local") }).strict(),
  z
    .object({
      kind: z.literal("ssh"),
      host: z.string().min(1),
      port: posInt.max(65535).optional(),
      user: z.string().min(1).optional(),
      identity_file: AbsolutePathSchema.optional(),
      known_hosts_file: AbsolutePathSchema.optional(),
      ssh_config_file: AbsolutePathSchema.optional()
    })
    .strict()
]);

const LauncherSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("deepy"),
      neox_dir: AbsolutePathSchema.describe("GPT-NeoX checkout holding deepy.py and train.py (absolute)"),
      python: ProgramSchema.default("python").describe(
        "python program: a name found in PATH or an absolute path"
      )
    })
    .strict(),
  z
    .object({ kind: z.literal("emulator") })
    .strict()
    .describe("the neoxctl NeoX emulator (no GPUs needed)")
]);

const ContainerSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }).strict(),
  z
    .object({
      kind: z.literal("singularity"),
      image: ContainerImageSchema.describe(
        "image file (absolute path) or a docker://, library://, oras:// … URI"
      ),
      binds: z.array(BindSchema).default([]).describe("bind mounts, each src[:dest[:ro|rw]]")
    })
    .strict()
]);

const StepsSchema = z
  .object({
    cpu_partition: SlurmWordSchema.optional().describe(
      "partition of the CPU steps (tokenize, merge); default scheduler.partition (LUMI: small)"
    ),
    gpu_partition: SlurmWordSchema.optional().describe(
      "partition of the checkpoint conversions (convert, export); default cpu_partition"
    ),
    tools: z
      .enum(["neox", "standin"])
      .optional()
      .describe(
        "neox: NeoX's own tools in launcher.neox_dir; standin: the emulator's (default by launcher kind)"
      ),
    python: ProgramSchema.default("python3").describe(
      "python on the compute nodes for the neoxctl merge tool"
    ),
    max_concurrent: posInt.default(8).describe("array tasks of one step running at once (Slurm's %N)"),
    batch_size: posInt.default(16).describe("raw corpora tokenized by one array task"),
    cpus_per_task: posInt.default(8).describe("CPUs of one step task (preprocess --workers)"),
    mem: SlurmWordSchema.optional().describe("--mem of a step task"),
    time: SlurmTimeSchema.default("12:00:00").describe("time limit of one step task"),
    container: z
      .boolean()
      .default(true)
      .describe("run the steps' tools inside the profile's container (false: on the host)"),
    max_attempts: posInt.default(3).describe("tries per step task before the supervisor gives up")
  })
  .strict()
  .describe("How the non-training steps of the job graph run (convert, tokenize, merge, export).");

const HEX_MASK = /^0x[0-9a-f]+$/;

export const ClusterProfileSchema = z
  .object({
    name: SafeIdSchema,
    description: z.string().optional(),
    scheduler: SchedulerSchema,
    gcds_per_node: posInt.describe("GPUs (GCDs) per node as NeoX counts them; also the hostfile slots"),
    cpu_bind_masks: z
      .array(z.string().regex(HEX_MASK, { error: "must be a hex CPU mask like 0x00fe000000000000" }))
      .optional()
      .describe("one CPU mask per local rank, in rank order (rank i → the CCD closest to GCD i)"),
    env: refuseProtoKey(z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).default({})),
    container: ContainerSchema.default({ kind: "none" }),
    node_local_tmp: AbsolutePathSchema.default("/tmp").describe(
      "node-local directory for the MIOpen caches (absolute)"
    ),
    master_port: posInt.max(65535).default(29500),
    access: AccessSchema,
    launcher: LauncherSchema,
    estimates: EstimatesProfileSchema.optional().describe(
      "peak FLOPs, MFU band, billing rule, quotas and failure prior for the plan's estimates"
    ),
    launch: LaunchSchema.default({ mode: "per_rank" }),
    environment: EnvironmentSchema.default({ module_use: [], modules: [], overlays: [], env: {} }),
    steps: StepsSchema.default(StepsSchema.parse({}))
  })
  .strict()
  .refine((p) => p.cpu_bind_masks === undefined || p.cpu_bind_masks.length === p.scheduler.ntasks_per_node, {
    error: "cpu_bind_masks must have one mask per task on a node (scheduler.ntasks_per_node)",
    path: ["cpu_bind_masks"]
  })
  .describe("What neoxctl needs to know about one Slurm cluster.");

export type ClusterProfile = z.infer<typeof ClusterProfileSchema>;

/** How neoxctl reaches a cluster's login node: on this machine, or over SSH. */
export type ClusterAccess = z.infer<typeof AccessSchema>;

import {
  ContainerImageSchema,
  ProgramSchema,
  SpecError,
  isAbsoluteNormalPath,
  isBindSpec,
  isRelativeNormalPath,
  renderValue
} from "@neoxctl/core";
import type { SpecIssue } from "@neoxctl/core";
import type { Attempt, Plan } from "./types.ts";

/**
 * How a value reaches the batch script, which decides what it may hold:
 * - word: unquoted, in an #SBATCH line or a command (a line break ends the comment, whitespace or a
 *   quote splits it into further sbatch options, a metacharacter is shell syntax);
 * - integer: unquoted, some inside awk's single-quoted program;
 * - envName: `export NAME=…`, where NAME is shell syntax;
 * - cpuMask: joined unquoted into SLURM_CPU_BIND;
 * - directive: a whole `#SBATCH` option the profile author wrote;
 * - quoted: single-quoted, so only a NUL (which bash drops) changes it;
 * - path / program / image / bind / overlay / below: quoted, and also a command argument, so never an option
 *   (an overlay also gets `:ro` appended, so it holds no colon or comma).
 */
type Kind =
  | "word"
  | "integer"
  | "envName"
  | "cpuMask"
  | "directive"
  | "quoted"
  | "path"
  | "program"
  | "image"
  | "bind"
  | "overlay"
  | "below";

const UNSAFE_WORD = /[\s"'\\`$;|&<>()\x00-\x1f\x7f\u0085\u2028\u2029]/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const CPU_MASK = /^0x[0-9a-f]+$/;
// the schema's rule for extra_directives: one option, nothing sbatch or bash would split or end
const DIRECTIVE = /^--[a-z][a-z-]*(=[^\s'"\\]+)?$/;

function problem(kind: Kind, value: unknown): string | null {
  if (kind === "integer")
    return Number.isSafeInteger(value) && (value as number) >= 0 ? null : "must be a non-negative integer";
  if (typeof value !== "string") return "must be a string";
  if (value.includes("\0"))
    return "must not contain a NUL byte (bash drops it, so the job would see another value)";
  switch (kind) {
    case "word":
      return value !== "" && !UNSAFE_WORD.test(value)
        ? null
        : "must not be empty or hold whitespace, quotes or shell metacharacters (it is written unquoted into the batch script)";
    case "envName":
      return ENV_NAME.test(value) ? null : "must be an environment variable name ([A-Z_][A-Z0-9_]*)";
    case "cpuMask":
      return CPU_MASK.test(value) ? null : "must be a hex CPU mask like 0x00fe000000000000";
    case "directive":
      return DIRECTIVE.test(value) ? null : "must be one option --name or --name=value on one line";
    case "quoted":
      return null;
    case "path":
      return isAbsoluteNormalPath(value) ? null : "must be an absolute, normalised path";
    case "program":
      return ProgramSchema.safeParse(value).success ? null : "must be a program name or an absolute path";
    case "image":
      return ContainerImageSchema.safeParse(value).success
        ? null
        : "must be an absolute path or an image URI";
    case "bind":
      return isBindSpec(value) ? null : "must be src[:dest[:ro|rw]] with absolute paths and no comma";
    case "overlay":
      return isAbsoluteNormalPath(value) && !/[:,]/.test(value)
        ? null
        : "must be an absolute, normalised path without a colon or comma";
    case "below":
      return isRelativeNormalPath(value) ? null : "must be a relative path inside the run directory";
  }
}

type Entry = [path: string, value: unknown, kind: Kind];

function entries(plan: Plan, attempt: Attempt): Entry[] {
  const p = plan.profile;
  const s = p.scheduler;
  const c = plan.spec.cluster;
  const optional = (path: string, value: unknown, kind: Kind): Entry[] =>
    value === undefined || value === null ? [] : [[path, value, kind]];
  const env = (prefix: string, vars: Record<string, string>): Entry[] =>
    Object.entries(vars).flatMap(([k, v]): Entry[] => [
      [`${prefix}.${k}`, k, "envName"],
      [`${prefix}.${k}`, v, "quoted"]
    ]);
  const e = p.environment;
  const load = plan.spec.init.checkpoint;
  return [
    ["attempt.runId", attempt.runId, "word"],
    ["attempt.index", attempt.index, "integer"],
    ["scheduler.partition", s.partition, "word"],
    ...optional("scheduler.gpus_per_node", s.gpus_per_node, "word"),
    ...optional("scheduler.mem", s.mem, "word"),
    ["scheduler.ntasks_per_node", s.ntasks_per_node, "integer"],
    ["scheduler.cpus_per_task", s.cpus_per_task, "integer"],
    ...s.extra_directives.map((d, i): Entry => [`scheduler.extra_directives[${i}]`, d, "directive"]),
    ...optional("cluster.account", c.account, "word"),
    ["cluster.time", c.time, "word"],
    ...optional("cluster.time_min", c.time_min, "word"),
    ["layout.nodes", plan.layout.nodes, "integer"],
    ["gcds_per_node", p.gcds_per_node, "integer"],
    ["master_port", p.master_port, "integer"],
    // written unquoted into --chdir= as well
    ...optional("runDir", plan.runDir, "path"),
    ...optional("runDir", plan.runDir, "word"),
    ...optional("repoRoot", plan.repoRoot, "path"),
    ...optional("attempt.timeLimit", attempt.timeLimit, "word"),
    ...optional("attempt.dependency", attempt.dependency, "word"),
    ...optional("attempt.configRoot", attempt.configRoot, "below"),
    ...attempt.excludeNodes.map((n, i): Entry => [`attempt.excludeNodes[${i}]`, n, "word"]),
    ...env("env", p.env),
    ...env("attempt.env", attempt.env ?? {}),
    ...(p.cpu_bind_masks ?? []).map((m, i): Entry => [`cpu_bind_masks[${i}]`, m, "cpuMask"]),
    ["node_local_tmp", p.node_local_tmp, "path"],
    ...(p.launcher.kind === "deepy"
      ? ([
          ["launcher.neox_dir", p.launcher.neox_dir, "path"],
          ["launcher.python", p.launcher.python, "program"]
        ] as Entry[])
      : []),
    ...(p.container.kind === "singularity"
      ? [
          ["container.image", p.container.image, "image"] as Entry,
          ...p.container.binds.map((b, i): Entry => [`container.binds[${i}]`, b, "bind"]),
          ...(p.launcher.kind === "emulator" ? optional("repoRoot", plan.repoRoot, "bind") : [])
        ]
      : []),
    ...e.module_use.map((d, i): Entry => [`environment.module_use[${i}]`, d, "path"]),
    ...e.modules.map((m, i): Entry => [`environment.modules[${i}]`, m, "word"]),
    ...optional("environment.activate_var", e.activate_var, "envName"),
    ...optional("environment.venv", e.venv, "path"),
    ...e.overlays.map((o, i): Entry => [`environment.overlays[${i}]`, o, "overlay"]),
    ...env("environment.env", e.env),
    // the pre-flight checks name these paths, single-quoted
    ["init.checkpoint", load, "quoted"],
    ["checkpointing.save", plan.spec.checkpointing.save, "quoted"],
    ...[...plan.data.entries.map((d) => d.path), ...plan.data.valid, ...plan.data.test].map((d, i): Entry => [
      `data.prefix[${i}]`,
      d,
      "quoted"
    ])
  ];
}

/**
 * Refuses any value the batch script interpolates unless it is safe where it lands. The schemas
 * already restrict user fields; this also covers values from the CLI (run dir), the supervisor
 * (attempt overrides) and anything else that did not pass a schema, so the renderer is safe whatever
 * its caller checked.
 */
export function checkSbatchValues(plan: Plan, attempt: Attempt): void {
  const issues: SpecIssue[] = [];
  for (const [path, value, kind] of entries(plan, attempt)) {
    if (issues.some((i) => i.path === path)) continue;
    const rule = problem(kind, value);
    if (rule !== null) issues.push({ path, received: renderValue(value), rule });
  }
  if (issues.length > 0) throw new SpecError("SPEC_INVALID", issues);
}

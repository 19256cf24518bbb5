import { SpecError } from "@neoxctl/core";
import type { SpecIssue } from "@neoxctl/core";
import type { Attempt, Plan } from "./types.ts";

// #SBATCH lines are comments to bash: a line break in a value ends the comment and bash runs the rest.
// Whitespace and quotes would make sbatch read the value as several options.
const UNSAFE_VALUE = /[\s"'\\`$;|&<>()]/;
// extra_directives are whole options the profile author wrote; only a line break can escape the comment
const LINE_BREAK = /[\x00-\x1f\x7f\u0085\u2028\u2029]/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Refuses any value that would reach the batch script unquoted and could change its meaning. The
 * schemas already restrict user fields; this also covers values that arrive from the CLI (run dir)
 * and the supervisor (attempt overrides), so the renderer is safe whatever its caller checked.
 */
export function checkSbatchValues(plan: Plan, attempt: Attempt): void {
  const values: [string, string | undefined | null][] = [
    ["scheduler.partition", plan.profile.scheduler.partition],
    ["scheduler.gpus_per_node", plan.profile.scheduler.gpus_per_node],
    ["scheduler.mem", plan.profile.scheduler.mem],
    ["cluster.account", plan.spec.cluster.account],
    ["cluster.time", plan.spec.cluster.time],
    ["cluster.time_min", plan.spec.cluster.time_min],
    ["runDir", plan.runDir],
    ["attempt.timeLimit", attempt.timeLimit],
    ["attempt.dependency", attempt.dependency],
    ...attempt.excludeNodes.map((n, i): [string, string] => [`attempt.excludeNodes[${i}]`, n])
  ];
  const issues: SpecIssue[] = [];
  for (const [path, value] of values) {
    if (value === undefined || value === null) continue;
    if (value === "" || UNSAFE_VALUE.test(value) || LINE_BREAK.test(value)) {
      issues.push({
        path,
        received: JSON.stringify(value),
        rule: "must not be empty or hold whitespace, quotes or shell metacharacters (it is written into an #SBATCH line)"
      });
    }
  }
  plan.profile.scheduler.extra_directives.forEach((d, i) => {
    if (LINE_BREAK.test(d))
      issues.push({
        path: `scheduler.extra_directives[${i}]`,
        received: JSON.stringify(d),
        rule: "must be one line"
      });
  });
  // bash drops NUL bytes from a script (and `source` stops reading at one), so such a value would silently change
  const quoted: [string, string][] = [
    ["node_local_tmp", plan.profile.node_local_tmp],
    ...Object.entries({ ...plan.profile.env, ...(attempt.env ?? {}) }).map(([k, v]): [string, string] => [
      `env.${k}`,
      v
    ]),
    ...(plan.profile.launcher.kind === "deepy"
      ? ([
          ["launcher.neox_dir", plan.profile.launcher.neox_dir],
          ["launcher.python", plan.profile.launcher.python]
        ] as [string, string][])
      : []),
    ...(plan.profile.container.kind === "singularity"
      ? [
          ["container.image", plan.profile.container.image] as [string, string],
          ...plan.profile.container.binds.map((b, i): [string, string] => [`container.binds[${i}]`, b])
        ]
      : [])
  ];
  for (const [path, value] of quoted) {
    if (value.includes("\0"))
      issues.push({ path, received: JSON.stringify(value), rule: "must not contain a NUL byte" });
  }
  for (const key of Object.keys(attempt.env ?? {})) {
    if (!ENV_NAME.test(key))
      issues.push({
        path: `attempt.env.${key}`,
        received: JSON.stringify(key),
        rule: "must be an environment variable name ([A-Z_][A-Z0-9_]*)"
      });
  }
  if (issues.length > 0) throw new SpecError("SPEC_INVALID", issues);
}

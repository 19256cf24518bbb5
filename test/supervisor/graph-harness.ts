import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JobGraphSchema } from "@neoxctl/core";
import type { GraphOutput, GraphStep, JobGraph } from "@neoxctl/core";

/**
 * A small job graph for the supervisor's graph tests on the local cluster, with step scripts of its
 * own (independent of the planner's stand-in tools): each task writes its outputs under temporary
 * names, renames them into place, then writes its record (the contract in core/graph/graph.ts).
 * Faults are marker files under `<root>/faults/`:
 *   fail-<step>-<task>  the tool exits 2 with an error line (a retry does not fix it);
 *   slow-<step>-<task>  the task removes the marker and sleeps (so a test can fail its node); its
 *                       retry, finding no marker, runs at once;
 *   empty-<step>-<task> the task exits 0 but records an empty output (verification fails).
 */
export interface GraphRig {
  root: string;
  runDir: string;
  graph: JobGraph;
  fault(kind: "fail" | "slow" | "empty", step: string, task: number): void;
  /** the marker a slow task writes once it is running (with its node name) */
  runningMarker(step: string, task: number): string;
}

const PARTITION = "standard-g";

export function graphRig(root: string, runDir: string, options: { tokenizeTasks?: number } = {}): GraphRig {
  const tasks = options.tokenizeTasks ?? 3;
  const steps: unknown[] = [
    {
      id: "convert",
      kind: "convert",
      script: "steps/convert.sbatch",
      dependsOn: [],
      partition: PARTITION,
      outputs: [{ path: `${root}/ckpt/init`, kind: "neox_checkpoint" }],
      record: `${root}/records/convert.json`,
      retry: { maxAttempts: 2 }
    },
    {
      id: "tokenize",
      kind: "tokenize",
      script: "steps/tokenize.sbatch",
      dependsOn: [],
      partition: PARTITION,
      array: { tasks, maxConcurrent: 2 },
      outputs: Array.from({ length: tasks }, (_, task) => ({
        path: `${root}/data/c${task}_text_document`,
        kind: "neox_prefix",
        task
      })),
      record: `${root}/records/tokenize-%a.json`,
      retry: { maxAttempts: 3 }
    },
    {
      id: "merge",
      kind: "merge",
      script: "steps/merge.sbatch",
      dependsOn: ["tokenize"],
      partition: PARTITION,
      outputs: [{ path: `${root}/merged/g0`, kind: "neox_prefix" }],
      record: `${root}/records/merge.json`,
      retry: { maxAttempts: 2 }
    }
  ];
  const graph = JobGraphSchema.parse({ steps });
  mkdirSync(join(runDir, "steps"), { recursive: true });
  mkdirSync(join(root, "faults"), { recursive: true });
  for (const s of graph.steps) writeFileSync(join(runDir, s.script!), stepScript(root, s), { mode: 0o755 });
  return {
    root,
    runDir,
    graph,
    fault: (kind, step, task) => writeFileSync(join(root, "faults", `${kind}-${step}-${task}`), ""),
    runningMarker: (step, task) => join(root, "faults", `running-${step}-${task}`)
  };
}

function outputCommands(o: GraphOutput): { make: string; files: string[] } {
  switch (o.kind) {
    case "neox_prefix":
      return {
        make: [
          `mkdir -p "$(dirname ${o.path})"`,
          `printf 'tokens-%s' "$T" > ${o.path}.bin.tmp && mv ${o.path}.bin.tmp ${o.path}.bin`,
          `printf 'MMIDIDX-%s' "$T" > ${o.path}.idx.tmp && mv ${o.path}.idx.tmp ${o.path}.idx`
        ].join("\n"),
        files: [`${o.path}.bin`, `${o.path}.idx`]
      };
    case "file":
      return { make: `mkdir -p "$(dirname ${o.path})"; echo out > ${o.path}`, files: [o.path] };
    case "dir":
    case "neox_checkpoint":
    case "hf_checkpoint":
      return {
        make: `mkdir -p ${o.path}.tmp && echo weights > ${o.path}.tmp/model.pt && rm -rf ${o.path} && mv ${o.path}.tmp ${o.path}`,
        files: [`${o.path}/model.pt`]
      };
  }
}

/** One task's branch: make its outputs, then write the record (sizes measured after the renames). */
function taskBranch(root: string, s: GraphStep, task: number | undefined): string {
  const outs = s.array ? s.outputs.filter((o) => o.task === task) : s.outputs;
  const made = outs.map(outputCommands);
  const record = s.array ? s.record.replaceAll("%a", String(task)) : s.record;
  const size = (f: string): string => `$(stat -c %s ${f})`;
  const outputsJson = outs
    .map((o, i) => {
      const files = made[i]!.files.map((f) => `{"path":"${f}","bytes":${size(f)}}`).join(",");
      const counts = o.kind === "neox_prefix" ? `,"documents":3,"tokens":12` : "";
      return `{"path":"${o.path}","kind":"${o.kind}","files":[${files}]${counts}}`;
    })
    .join(",");
  const taskField = s.array ? `"task":${task},` : "";
  return [
    ...made.map((m) => m.make),
    `if [ -f "${root}/faults/empty-${s.id}-$T" ]; then : > ${made[0]?.files[0] ?? "/dev/null"}; fi`,
    `mkdir -p "$(dirname ${record})"`,
    `cat > ${record}.tmp <<JSON`,
    `{"version":1,"step":"${s.id}",${taskField}"outputs":[${outputsJson}],"finishedAt":"$(date -u +%Y-%m-%dT%H:%M:%SZ)"}`,
    "JSON",
    `mv ${record}.tmp ${record}`
  ].join("\n");
}

function stepScript(root: string, s: GraphStep): string {
  const indices = s.array ? Array.from({ length: s.array.tasks }, (_, i) => i) : [undefined];
  const cases = indices.map((t) => `  ${t ?? 0})\n${taskBranch(root, s, t)}\n    ;;`).join("\n");
  return `#!/bin/bash
#SBATCH --time=00:05:00
#SBATCH --nodes=1
set -euo pipefail
T=\${SLURM_ARRAY_TASK_ID:-0}
F=${root}/faults
echo "${s.id} task $T on $(hostname) (job \${SLURM_JOB_ID})"
if [ -f "$F/fail-${s.id}-$T" ]; then
  echo "${s.kind}: error: cannot read input ${root}/raw/c$T.jsonl: unexpected end of data at line 3" >&2
  exit 2
fi
if [ -f "$F/slow-${s.id}-$T" ]; then
  rm -f "$F/slow-${s.id}-$T"
  echo "\${SLURMD_NODENAME:-$(hostname)}" > "$F/running-${s.id}-$T"
  sleep 300
fi
case $T in
${cases}
esac
echo "${s.id} task $T done"
`;
}

/**
 * Every Slurm job accounting holds under a run's job name, array tasks folded into their job
 * (`sacct -X` lists them as `<job>_<task>`): job id → its comment tag.
 */
export function runJobsInAccounting(runId: string): Map<string, string> {
  const out = execFileSync(
    "sacct",
    ["-X", "-n", "-P", "-o", "JobID,Comment", `--name=neoxctl-${runId}`, "--starttime=now-1days"],
    { encoding: "utf8" }
  );
  const jobs = new Map<string, string>();
  for (const line of out.split("\n").filter((l) => l.trim() !== "")) {
    const [id = "", comment = ""] = line.split("|");
    jobs.set(id.split("_")[0]!, comment);
  }
  return jobs;
}

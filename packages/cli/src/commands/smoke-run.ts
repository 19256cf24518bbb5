import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { ClusterProfile, DataManifest, RunSpec } from "@neoxctl/core";
import type { Executor } from "@neoxctl/exec";
import { judgeCanary, planCanary, renderCanary } from "@neoxctl/plan";
import type { CanaryReport } from "@neoxctl/plan";
import { SlurmClient, StatusPoller, isFinal } from "@neoxctl/slurm";
import type { JobStatus } from "@neoxctl/slurm";
import { observeCanaryLog } from "./smoke-observe.ts";

/** Exit status of `neoxctl smoke` on no-go (0 is go, 1 and 2 are neoxctl's own errors). */
export const NO_GO_EXIT = 3;

export interface CanaryRequest {
  spec: RunSpec;
  profile: ClusterProfile;
  manifest: DataManifest;
  repoRoot: string;
  /** absolute run directory of the canary on the cluster */
  runDir: (runId: string) => string;
  steps: number;
  exec: Executor;
  /** one line of progress (queued, running, step n/N); not called for --json */
  progress?: (line: string) => void;
  /** milliseconds between polls */
  pollMs?: number;
}

export interface CanaryOutcome {
  report: CanaryReport;
  runDir: string;
}

/** A canary's run id: the run's name, `-smoke-`, and a random suffix (unique per canary). */
export function canaryRunId(name: string): string {
  return `${name.slice(0, 40)}-smoke-${randomBytes(3).toString("hex")}`;
}

const STEP_RE = /iteration\s+(\d+)\/\s*(\d+)/g;

async function readAll(exec: Executor, path: string): Promise<string> {
  const parts: Buffer[] = [];
  for (let offset = 0; ;) {
    const { data } = await exec.readFrom(path, offset);
    if (data.length === 0) return Buffer.concat(parts).toString("utf8");
    parts.push(data);
    offset += data.length;
  }
}

/** Plans, writes and submits the canary, waits for it (showing progress), then judges its log. */
export async function runCanary(req: CanaryRequest): Promise<CanaryOutcome> {
  const runId = canaryRunId(req.spec.name);
  const runDir = req.runDir(runId);
  const canary = planCanary({
    spec: req.spec,
    profile: req.profile,
    manifest: req.manifest,
    repoRoot: req.repoRoot,
    runDir,
    runId,
    steps: req.steps
  });
  const files = renderCanary(canary);
  for (const [rel, text] of Object.entries(files)) await req.exec.writeFile(join(runDir, rel), text);

  const slurm = new SlurmClient(req.exec);
  const jobId = await slurm.submit({
    scriptPath: join(runDir, "job.sbatch"),
    runId,
    attempt: 1,
    cwd: runDir
  });
  const say = req.progress ?? ((): void => undefined);
  say(
    `submitted canary ${runId} as job ${jobId} (${canary.plan.layout.nodes} nodes, ${canary.plan.profile.scheduler.partition})`
  );

  const poller = new StatusPoller(slurm);
  const logPath = join(runDir, canary.logPath);
  let offset = 0;
  let said = "";
  let last: JobStatus | undefined;
  for (;;) {
    const status = (await poller.poll([jobId])).statuses.get(jobId);
    if (status !== undefined) last = status;
    let line = said;
    if (status?.state === "PENDING")
      line = `queued (job ${jobId}${status.reason !== null ? `, reason ${status.reason}` : ""})`;
    else if (status?.state === "RUNNING") line = `running on ${status.nodes.join(",")}`;
    if (line !== said) say((said = line));
    const { data } = await req.exec.readFrom(logPath, offset);
    offset += data.length;
    for (const m of data.toString("utf8").matchAll(STEP_RE)) say(`step ${m[1]}/${canary.steps + 1}`);
    if (status !== undefined && isFinal(status.state)) break;
    await new Promise((r) => setTimeout(r, req.pollMs ?? 2000));
  }
  const observed = observeCanaryLog(await readAll(req.exec, logPath), {
    id: jobId,
    state: last?.state ?? "UNKNOWN",
    exitCode: last?.exitCode ?? null,
    nodes: last?.nodes ?? [],
    reason: last?.reason ?? null
  });
  const report = judgeCanary({
    runId,
    steps: canary.steps,
    saveDir: canary.saveDir,
    expectedStepS: canary.expectedStepS,
    network: canary.plan.profile.network,
    observed
  });
  return { report, runDir };
}

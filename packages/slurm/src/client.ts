import { SlurmError } from "@neoxctl/core";
import type { ExecOptions, ExecResult, Executor } from "@neoxctl/exec";
import { compressHostlist } from "./hostlist.ts";
import { formatSubmissionTag, jobNameForRun, type JobStatus } from "./job-status.ts";
import {
  parsePartitions,
  parseSinfoNodes,
  SINFO_PARTITION_FORMAT,
  type NodeInfo,
  type PartitionInfo
} from "./nodes.ts";
import {
  isAccountingDisabled,
  parseSacctText,
  SACCT_ARRAY_FIELDS,
  sacctArgv,
  type SacctJob
} from "./parse-sacct.ts";
import { parseScontrolJobs } from "./parse-scontrol.ts";
import { parseSqueueJson } from "./parse-squeue.ts";
import { fromExecError, slurmFailure } from "./slurm-errors.ts";

export interface SubmitRequest {
  scriptPath: string;
  runId: string;
  attempt: number;
  /** goes into the comment tag (letters and digits): see SubmissionTag.nonce */
  nonce?: string;
  cwd?: string;
  /** nodes to keep away from (bad-node list) */
  exclude?: readonly string[];
  /** e.g. `afterany:123` */
  dependency?: string;
  /** Slurm time, e.g. `1:00:00` or `60` (minutes) */
  time?: string;
  timeMin?: string;
  /** exported to the job (sbatch passes the submitting environment through) */
  env?: Readonly<Record<string, string>>;
  extraArgs?: readonly string[];
}

export type NodeStateChange = "down" | "drain" | "resume";
export type AccountingMode = "on" | "off";

export interface SlurmClientOptions {
  /** per-command timeout; a hanging command means the controller does not answer */
  commandTimeoutMs?: number;
}

/** Talks to Slurm through an Executor (local or SSH); every call is one Slurm command. */
export class SlurmClient {
  readonly exec: Executor;
  private readonly timeoutMs: number;

  constructor(exec: Executor, options: SlurmClientOptions = {}) {
    this.exec = exec;
    this.timeoutMs = options.commandTimeoutMs ?? 60_000;
  }

  /** Runs a Slurm command; non-zero exits become SlurmErrors unless `allowFailure`. */
  async run(
    argv: readonly string[],
    options: ExecOptions & { allowFailure?: boolean } = {}
  ): Promise<ExecResult> {
    const { allowFailure, ...execOptions } = options;
    let result: ExecResult;
    try {
      result = await this.exec.run(argv, { timeoutMs: this.timeoutMs, ...execOptions, check: false });
    } catch (err) {
      throw fromExecError(err, argv);
    }
    if (result.exitCode !== 0 && !allowFailure) throw slurmFailure(result);
    return result;
  }

  submitArgv(req: SubmitRequest): string[] {
    const argv = [
      "sbatch",
      "--parsable",
      `--job-name=${jobNameForRun(req.runId)}`,
      `--comment=${formatSubmissionTag({ runId: req.runId, attempt: req.attempt, nonce: req.nonce })}`
    ];
    if (req.cwd !== undefined) argv.push(`--chdir=${req.cwd}`);
    if (req.exclude && req.exclude.length > 0) argv.push(`--exclude=${compressHostlist(req.exclude)}`);
    if (req.dependency !== undefined) argv.push(`--dependency=${req.dependency}`);
    if (req.time !== undefined) argv.push(`--time=${req.time}`);
    if (req.timeMin !== undefined) argv.push(`--time-min=${req.timeMin}`);
    // the script path is a path like any other: after `--`, sbatch never reads it as an option
    argv.push(...(req.extraArgs ?? []), "--", req.scriptPath);
    return argv;
  }

  /** `sbatch --parsable` → job id (the `;cluster` suffix of federated answers is dropped). */
  async submit(req: SubmitRequest): Promise<string> {
    const argv = this.submitArgv(req);
    const result = await this.run(argv, {
      ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
      ...(req.env ? { env: req.env } : {})
    });
    const line = result.stdout.trim().split("\n").pop() ?? "";
    const id = line.split(";")[0] ?? "";
    if (!/^\d+(_\d+)?$/.test(id)) {
      throw new SlurmError(
        "SLURM_PARSE",
        `sbatch printed no job id: ${JSON.stringify(result.stdout.slice(0, 200))}`,
        { command: argv }
      );
    }
    return id;
  }

  /** Cancels; jobs that already ended or are unknown are not an error (cancel is idempotent). */
  async cancel(jobIds: readonly string[], options: { signal?: string } = {}): Promise<void> {
    if (jobIds.length === 0) return;
    const argv = ["scancel", ...(options.signal ? [`--signal=${options.signal}`] : []), ...jobIds];
    const r = await this.run(argv, { allowFailure: true });
    if (r.exitCode === 0) return;
    const benign = /already completing or completed|invalid job id/i;
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    if (lines.length > 0 && lines.every((l) => benign.test(l))) return;
    throw slurmFailure(r);
  }

  /** `scontrol requeue` (or `requeuehold`, which keeps it held until release). */
  async requeue(jobId: string, options: { hold?: boolean } = {}): Promise<void> {
    await this.run(["scontrol", options.hold ? "requeuehold" : "requeue", jobId]);
  }

  async hold(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length > 0) await this.run(["scontrol", "hold", jobIds.join(",")]);
  }

  async release(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length > 0) await this.run(["scontrol", "release", jobIds.join(",")]);
  }

  async nodes(): Promise<NodeInfo[]> {
    return parseSinfoNodes((await this.run(["sinfo", "--json"])).stdout);
  }

  async partitions(): Promise<PartitionInfo[]> {
    return parsePartitions((await this.run(["sinfo", "-h", "-o", SINFO_PARTITION_FORMAT])).stdout);
  }

  /** For tests and admins: DOWN/DRAIN need a reason in Slurm. */
  async setNodeState(nodes: readonly string[], state: NodeStateChange, reason = "neoxctl"): Promise<void> {
    const argv = ["scontrol", "update", `nodename=${compressHostlist(nodes)}`, `state=${state}`];
    if (state !== "resume") argv.push(`reason=${reason}`);
    await this.run(argv);
  }

  /** `slurm-wlm 22.05.8` / `slurm 23.02.1` → `22.05.8` */
  async version(): Promise<string> {
    const out = (await this.run(["sinfo", "-V"])).stdout.trim();
    return /(\d+\.\d+\.\d+\S*)/.exec(out)?.[1] ?? out;
  }

  /** Read from the controller's configuration: is there a slurmdbd behind it? */
  async accounting(): Promise<AccountingMode> {
    const out = (await this.run(["scontrol", "show", "config"])).stdout;
    const m = /^AccountingStorageType\s*=\s*(\S+)/m.exec(out);
    return m?.[1] && !/none/i.test(m[1]) ? "on" : "off";
  }

  /** All jobs slurmctld still knows (pending, running, and ended within MinJobAge). */
  async queue(): Promise<JobStatus[]> {
    return parseSqueueJson((await this.run(["squeue", "--json"])).stdout);
  }

  /** One sacct call; `null` when the cluster has no accounting. */
  async accountingRecords(jobIds: readonly string[]): Promise<SacctJob[] | null> {
    if (jobIds.length === 0) return [];
    const r = await this.run(sacctArgv(jobIds), { allowFailure: true });
    if (isAccountingDisabled(`${r.stdout}\n${r.stderr}`)) return null;
    if (r.exitCode !== 0) throw slurmFailure(r);
    return parseSacctText(r.stdout);
  }

  /** `scontrol -o show job`: every job the controller holds, in one call. */
  async controllerJobs(): Promise<JobStatus[]> {
    const r = await this.run(["scontrol", "-o", "show", "job"], { allowFailure: true });
    if (r.exitCode !== 0 && /no jobs in the system/i.test(r.stdout + r.stderr)) return [];
    if (r.exitCode !== 0) throw slurmFailure(r);
    return parseScontrolJobs(r.stdout);
  }

  /**
   * Every submission tagged with this run id (name `neoxctl-<runId>` or the comment tag), from
   * the queue and from accounting (last `sinceDays` days), newest attempt last.
   */
  async findSubmissions(runId: string, options: { sinceDays?: number } = {}): Promise<JobStatus[]> {
    const mine = (j: JobStatus): boolean => j.tag?.runId === runId || j.name === jobNameForRun(runId);
    const found = new Map<string, JobStatus>();
    for (const j of (await this.queue()).filter(mine)) found.set(j.jobId, j);
    const argv = [
      "sacct",
      "-P",
      "-D",
      "--noheader",
      "-o",
      SACCT_ARRAY_FIELDS.join(","),
      `--name=${jobNameForRun(runId)}`,
      `--starttime=now-${options.sinceDays ?? 14}days`
    ];
    const r = await this.run(argv, { allowFailure: true });
    const output = r.stdout + r.stderr;
    // A cluster without accounting cannot say more than the queue. One with accounting whose sacct
    // failed could: a job that ended and left the queue (MinJobAge) would look unsent and be sent a
    // second time, so the caller must not decide anything this cycle.
    if (r.exitCode !== 0 && !isAccountingDisabled(output))
      throw new SlurmError(
        "SLURM_UNAVAILABLE",
        `sacct failed (exit ${r.exitCode}) looking for run ${runId}'s submissions: ${output.trim().slice(0, 200)}`,
        { command: argv }
      );
    if (r.exitCode === 0 && !isAccountingDisabled(output)) {
      for (const j of parseSacctText(r.stdout, SACCT_ARRAY_FIELDS).filter(mine))
        if (!found.has(j.jobId)) found.set(j.jobId, j);
    }
    return [...found.values()].sort(
      (a, b) => (a.tag?.attempt ?? 0) - (b.tag?.attempt ?? 0) || Number(a.jobId) - Number(b.jobId)
    );
  }
}

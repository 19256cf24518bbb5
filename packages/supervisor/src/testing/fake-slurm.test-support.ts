import { SlurmError } from "@neoxctl/core";
import type {
  JobViewState,
  JobView,
  SlurmPort,
  StepSubmitInput,
  StepTaskView,
  SubmitInput,
  SubmittedJob
} from "../ports.ts";
import { STEP_JOB_ATTEMPT } from "../ports.ts";
import { jobAlive } from "../worker/job-liveness.ts";

/** One job as the fake controller keeps it. */
export interface FakeJob extends JobView {
  runId: string;
  attempt: number;
  held: boolean;
  input: SubmitInput;
}

/**
 * An in-memory Slurm behind `SlurmPort`, for unit tests of the worker: jobs change state only when
 * the test says so (`start`, `end`, `requeue`), and every command the worker sends is recorded, so a
 * test can say exactly which jobs were submitted, cancelled or released and with what options.
 */
export class FakeSlurm implements SlurmPort {
  readonly jobs = new Map<string, FakeJob>();
  readonly submits: SubmitInput[] = [];
  readonly cancels: string[] = [];
  readonly releases: string[] = [];
  readonly polls: (readonly string[])[] = [];
  private nextId = 1001;
  private down: string[] = [];
  private rejectNext: string | undefined;
  /** when true, `poll` throws SLURM_UNAVAILABLE (slurmctld away) */
  unavailable = false;

  async submit(req: SubmitInput): Promise<string> {
    this.submits.push(req);
    if (this.rejectNext !== undefined) {
      const why = this.rejectNext;
      this.rejectNext = undefined;
      throw new SlurmError("SLURM_REJECTED", `sbatch: error: ${why}`, { stderr: why });
    }
    const jobId = String(this.nextId++);
    this.jobs.set(jobId, {
      jobId,
      state: "PENDING",
      nodes: [],
      restarts: 0,
      runId: req.runId,
      attempt: req.attempt,
      held: req.hold === true,
      input: req
    });
    return jobId;
  }

  /** graph step jobs: job id → its submission and each task's view (key as taskKey) */
  readonly stepJobs = new Map<string, { input: StepSubmitInput; tasks: Map<string, StepTaskView> }>();

  /**
   * The next step sbatch (of the script ending in `script`, if given) dies with the supervisor:
   * `before` Slurm got it (no job), or `after` (the job exists, the answer is lost). The error
   * stands for the kill: the cycle ends there.
   */
  crashStepSubmit: { when: "before" | "after"; script?: string } | undefined;

  async submitStep(req: StepSubmitInput): Promise<string> {
    const c = this.crashStepSubmit;
    const crash = c && (c.script === undefined || req.scriptPath.endsWith(c.script)) ? c.when : undefined;
    if (crash) this.crashStepSubmit = undefined;
    if (crash === "before") throw new Error("fake Slurm: the supervisor died before sbatch");
    const jobId = String(this.nextId++);
    const keys = req.tasks ? req.tasks.map((t) => `${jobId}_${t}`) : [jobId];
    this.stepJobs.set(jobId, {
      input: req,
      tasks: new Map(keys.map((key) => [key, { key, state: "PENDING", nodes: [] }]))
    });
    if (crash === "after") throw new Error(`fake Slurm: the supervisor died after sbatch made job ${jobId}`);
    return jobId;
  }

  async stepTasks(jobIds: readonly string[]): Promise<Map<string, StepTaskView>> {
    const out = new Map<string, StepTaskView>();
    for (const id of jobIds)
      for (const [k, v] of this.stepJobs.get(id)?.tasks ?? []) out.set(k, { ...v, nodes: [...v.nodes] });
    return out;
  }

  /** Sets a step task's state (`key` as taskKey: `<jobId>_<task>` or `<jobId>`). */
  setTask(key: string, state: JobViewState, extra: Partial<StepTaskView> = {}): void {
    const jobId = key.split("_")[0]!;
    const t = this.stepJobs.get(jobId)?.tasks.get(key);
    if (!t) throw new Error(`fake Slurm: no step task ${key}`);
    Object.assign(t, { state }, extra);
  }

  async cancel(jobId: string): Promise<void> {
    this.cancels.push(jobId);
    const j = this.jobs.get(jobId);
    if (j && jobAlive(j.state)) j.state = "CANCELLED";
    for (const t of this.stepJobs.get(jobId)?.tasks.values() ?? [])
      if (jobAlive(t.state)) t.state = "CANCELLED";
  }

  async release(jobId: string): Promise<void> {
    this.releases.push(jobId);
    const j = this.jobs.get(jobId);
    if (j) j.held = false;
  }

  async poll(jobIds: readonly string[]): Promise<Map<string, JobView>> {
    this.polls.push([...jobIds]);
    if (this.unavailable) throw new SlurmError("SLURM_UNAVAILABLE", "slurmctld is not responding");
    const out = new Map<string, JobView>();
    for (const id of jobIds) {
      const j = this.jobs.get(id);
      if (j) out.set(id, view(j));
    }
    return out;
  }

  async findSubmissions(runId: string): Promise<SubmittedJob[]> {
    const steps = [...this.stepJobs]
      .filter(([, j]) => j.input.runId === runId)
      .map(([jobId, j]) => ({ jobId, attempt: STEP_JOB_ATTEMPT, nonce: j.input.nonce }));
    const attempts = [...this.jobs.values()]
      .filter((j) => j.runId === runId)
      .map((j) => ({ jobId: j.jobId, attempt: j.attempt, nonce: j.input.nonce }));
    return [...steps, ...attempts].sort((a, b) => a.attempt - b.attempt || Number(a.jobId) - Number(b.jobId));
  }

  async downNodes(nodes: readonly string[]): Promise<string[]> {
    return (nodes.length ? this.down.filter((n) => nodes.includes(n)) : [...this.down]).sort();
  }

  // ---- what the test makes Slurm do ----

  job(jobId: string): FakeJob {
    const j = this.jobs.get(jobId);
    if (!j) throw new Error(`fake Slurm: no job ${jobId}`);
    return j;
  }

  /** the newest job submitted for `attempt` of `runId` */
  jobOf(runId: string, attempt: number): FakeJob {
    const j = [...this.jobs.values()].filter((x) => x.runId === runId && x.attempt === attempt).at(-1);
    if (!j) throw new Error(`fake Slurm: no job for ${runId} attempt ${attempt}`);
    return j;
  }

  start(jobId: string, nodes: readonly string[]): void {
    const j = this.job(jobId);
    j.state = "RUNNING";
    j.nodes = [...nodes];
  }

  end(
    jobId: string,
    state: JobViewState,
    extra: Partial<Pick<JobView, "exitCode" | "failedNodes">> = {}
  ): void {
    const j = this.job(jobId);
    j.state = state;
    Object.assign(j, extra);
  }

  /** Slurm's own requeue of the same job id (after a node failure): pending again, no nodes */
  requeue(jobId: string): void {
    const j = this.job(jobId);
    j.state = "PENDING";
    j.restarts += 1;
    j.nodes = [];
  }

  /** the job leaves Slurm's memory (purged from the queue, no accounting) */
  forget(jobId: string): void {
    this.jobs.delete(jobId);
  }

  setDown(nodes: readonly string[]): void {
    this.down = [...nodes];
  }

  /** the next sbatch is refused with this message */
  rejectNextSubmit(why: string): void {
    this.rejectNext = why;
  }
}

function view(j: FakeJob): JobView {
  return {
    jobId: j.jobId,
    state: j.state,
    nodes: [...j.nodes],
    restarts: j.restarts,
    ...(j.exitCode !== undefined ? { exitCode: j.exitCode } : {}),
    ...(j.failedNodes ? { failedNodes: [...j.failedNodes] } : {})
  };
}

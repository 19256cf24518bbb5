import { readFileSync, existsSync } from "node:fs";
import { parseLine } from "@neoxctl/monitor";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient, jobNameForRun } from "@neoxctl/slurm";
import type { JobStatus } from "@neoxctl/slurm";
import { createRun, Keys, LeaseManager, RunStore, SlurmAdapter, Supervisor } from "@neoxctl/supervisor";
import type { Attempt, StoredEvent } from "@neoxctl/supervisor";
import type { Redis } from "ioredis";
import { REPO_ROOT, scenarioInputs } from "../supervisor/scenario.ts";
import type { ScenarioInputs } from "../supervisor/scenario.ts";
import { jobInstances, mergeJobRecord } from "./job-records.ts";
import type { JobSources } from "./job-records.ts";

export interface ChainScenario {
  name: string;
  trainIters: number;
  stepMs: number;
  /** pre-queue continuations (false: the submit-after-end baseline) */
  chain: boolean;
  /** emulator knobs (e.g. NEOX_EMU_NAN_AT for a rollback mid-run) */
  env?: Record<string, string>;
}

/** One planned ending, measured from Slurm's own times and the two attempts' logs. */
export interface Handover {
  from: number;
  to: number;
  exitAt: number;
  predecessorJob: string;
  successorJob: string;
  /** successor SubmitTime <= predecessor EndTime */
  queuedBeforeEnd: boolean;
  /** successor StartTime − predecessor EndTime, seconds (Slurm times have 1 s resolution) */
  gapS: number;
  lastIterBefore: number | null;
  firstIterAfter: number | null;
  /** iterations trained by the predecessor that the successor trains again */
  stepsLost: number | null;
}

export interface ChainOutcome {
  runId: string;
  state: string;
  attempts: Attempt[];
  events: StoredEvent[];
  /** every job Slurm has under the run's name, oldest first: accounting's record, completed by the controller's (see mergeJobRecord) */
  jobs: JobStatus[];
  /** what each source said about each job (sacct per instance too: a requeue is a new instance), for the failure dump */
  sources: JobSources[];
  /** jobs the controller saw run while accounting has no start for them (accounting was off or lost the record) */
  accountingGaps: string[];
  handovers: Handover[];
  log: string[];
  inputs: ScenarioInputs;
}

const fmtJob = (j: JobStatus | null): string =>
  j
    ? `${j.rawState}${j.reason ? `(${j.reason})` : ""} submit=${j.submitTime ?? "-"} start=${j.startTime ?? "-"} end=${j.endTime ?? "-"} nodes=${j.nodes.join(",") || "-"}`
    : "(no record)";

/** Everything needed to explain a failed chain run: events, both Slurm views of every job, handovers, supervisor log. */
export function describeOutcome(out: ChainOutcome): string {
  const lines = [
    `run ${out.runId}: ${out.state}; attempts ${out.attempts.map((a) => `${a.index}=${a.jobId ?? "-"}(${a.reason},${a.phase})`).join(" ")}`,
    "events:"
  ];
  for (const e of out.events)
    lines.push(
      `  ${e.time} a${e.attempt ?? "-"} ${e.type}${e.evidence.jobId ? ` job ${e.evidence.jobId}` : ""}: ${e.cause}`
    );
  lines.push("jobs (sacct | controller):");
  for (const s of out.sources) {
    const tag = (s.sacct ?? s.controller)?.tag;
    lines.push(`  ${s.jobId} attempt ${tag?.attempt ?? "?"}`, `    sacct:      ${fmtJob(s.sacct)}`);
    for (const i of s.instances)
      lines.push(
        `      instance: ${i.state} submit=${i.submitTime ?? "-"} start=${i.startTime ?? "-"} end=${i.endTime ?? "-"}${i.allocated ? "" : " (never allocated)"}`
      );
    lines.push(`    controller: ${fmtJob(s.controller)}`);
  }
  if (out.accountingGaps.length)
    lines.push(`accounting gaps (ran per controller, no start in sacct): ${out.accountingGaps.join(", ")}`);
  lines.push(
    "handovers:",
    ...out.handovers.map((h) => `  ${JSON.stringify(h)}`),
    "supervisor log:",
    ...out.log.map((l) => `  ${l}`)
  );
  return lines.join("\n");
}

/** Iterations printed in one attempt's log (first, last). */
function iterationsIn(path: string): { first: number | null; last: number | null } {
  if (!existsSync(path)) return { first: null, last: null };
  let first: number | null = null;
  let last: number | null = null;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const ev = parseLine(line);
    if (ev?.kind !== "train") continue;
    first ??= ev.step;
    last = ev.step;
  }
  return { first, last };
}

const seconds = (t: string | null): number => (t ? Date.parse(t) / 1000 : Number.NaN);

/**
 * Runs a whole run through a supervisor on the local cluster with 1-minute jobs, then reads back
 * what Slurm's accounting says about every job of the run.
 */
export async function runChainScenario(
  redis: Redis,
  prefix: string,
  s: ChainScenario,
  maxCycles = 3000
): Promise<ChainOutcome> {
  const inputs = scenarioInputs({
    name: s.name,
    trainIters: s.trainIters,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: String(s.stepMs), ...s.env }
  });
  inputs.spec.cluster.time = "00:01:00";
  inputs.spec.resilience.exit_margin_min = 0.25;
  inputs.spec.resilience.chain_continuations = s.chain;
  const keys = new Keys(prefix);
  const store = new RunStore(redis, keys);
  const exec = new LocalExecutor();
  const client = new SlurmClient(exec);
  const cluster = { exec, slurm: new SlurmAdapter(client) };
  const log: string[] = [];
  const sup = new Supervisor(store, new LeaseManager(redis, keys, `chain-${s.name}`, 5000), () => cluster, {
    log: (l) => log.push(l),
    chainPriors: { stepMs: s.stepMs, saveS: 0.05, startupS: 5 }
  });
  const run = await createRun(store, exec, { ...inputs, repoRoot: REPO_ROOT });
  for (let i = 0; i < maxCycles; i++) {
    await sup.cycle();
    const st = (await store.mustGetRun(run.id)).state;
    if (st === "completed" || st === "failed" || st === "cancelled" || st === "needs_attention") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await sup.release();
  const final = await store.mustGetRun(run.id);
  const attempts = await store.attempts(final);
  const events = await store.events(run.id);
  const found = await client.findSubmissions(run.id);
  const acct = (await client.accountingRecords(found.map((j) => j.jobId))) ?? [];
  const ctl = (await client.controllerJobs()).filter(
    (j) => j.tag?.runId === run.id || j.name === jobNameForRun(run.id)
  );
  const ids = [...new Set([...found, ...ctl].map((j) => j.jobId))].sort((a, b) => Number(a) - Number(b));
  const instances = await jobInstances(ids);
  const sources: JobSources[] = ids.map((jobId) => ({
    jobId,
    sacct: acct.find((j) => j.jobId === jobId) ?? null,
    instances: instances.get(jobId) ?? [],
    controller: ctl.find((j) => j.jobId === jobId) ?? null
  }));
  const jobs: JobStatus[] = [];
  const accountingGaps: string[] = [];
  for (const src of sources) {
    const m = mergeJobRecord(src) ?? { job: found.find((j) => j.jobId === src.jobId)!, gap: false };
    jobs.push(m.job);
    if (m.gap) accountingGaps.push(src.jobId);
  }
  const byId = new Map(jobs.map((j) => [j.jobId, j]));
  const handovers: Handover[] = [];
  for (const e of events.filter((x) => x.type === "planned_continuation")) {
    const from = e.attempt!;
    const a = attempts.find((x) => x.index === from);
    const b = attempts.find((x) => x.index === from + 1);
    const pj = a?.jobId ? byId.get(a.jobId) : undefined;
    const sj = b?.jobId ? byId.get(b.jobId) : undefined;
    if (!a || !b || !pj || !sj) continue;
    const before = iterationsIn(a.logPath);
    const after = iterationsIn(b.logPath);
    const exitAt = before.last ?? 0;
    handovers.push({
      from,
      to: from + 1,
      exitAt,
      predecessorJob: pj.jobId,
      successorJob: sj.jobId,
      queuedBeforeEnd: seconds(sj.submitTime) <= seconds(pj.endTime),
      gapS: seconds(sj.startTime) - seconds(pj.endTime),
      lastIterBefore: before.last,
      firstIterAfter: after.first,
      stepsLost: before.last !== null && after.first !== null ? before.last - (after.first - 1) : null
    });
  }
  return {
    runId: run.id,
    state: final.state,
    attempts,
    events,
    jobs,
    sources,
    accountingGaps,
    handovers,
    log,
    inputs
  };
}

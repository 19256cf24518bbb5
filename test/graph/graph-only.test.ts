import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Run, RunStore, Supervisor } from "@neoxctl/supervisor";
import { runJobsInAccounting } from "../supervisor/graph-harness.ts";
import { graphScenario } from "../supervisor/graph-scenario.ts";
import { cycleUntil, makeSupervisor } from "../supervisor/harness.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { removeScenario } from "../supervisor/scenario.ts";
import { runCli } from "../supervisor/supervise-process.ts";

// `neoxctl submit --graph --only <step>` and `--from <step>` on the local Slurm cluster with the
// planner's step scripts and stand-in tools, supervised to the end: --only runs that step alone
// (no training unless it is `train`, nothing after it) and completes saying so; the steps it needs
// must verify; `--from export` exports the checkpoint training left without training again.

const inputs = graphScenario({
  name: "graphonly",
  trainIters: 20,
  lr: 0.0001,
  env: { NEOX_EMU_STEP_MS: "20" }
});
const SPEC = join(inputs.root, "graph-spec.yaml");
const CLUSTER = join(inputs.root, "cluster.yaml");
const END = ["completed", "needs_attention", "failed", "cancelled"];
let t: Awaited<ReturnType<typeof testRedis>>;
let sup: Supervisor;
let store: RunStore;
const log: string[] = [];

beforeAll(async () => {
  // the scenario's spec as the CLI reads it: the HF model, tokenizer and raw corpora of this test
  writeFileSync(SPEC, stringify(inputs.spec));
  t = await testRedis("graph-only");
  ({ sup, store } = makeSupervisor(t.redis, t.prefix, "graph-only", log));
});
afterAll(async () => {
  await sup.release();
  await t.cleanup();
  removeScenario(inputs);
});

/** `neoxctl submit --graph <flags>` into the one run directory (the records live there); the run id. */
function submit(...flags: string[]): string {
  const r = runCli(
    ["submit", SPEC, "--cluster", CLUSTER, "--run-dir", inputs.runDir, "--graph", ...flags, "--json"],
    t.prefix
  );
  expect(r.status, r.stderr + r.stdout).toBe(0);
  return (JSON.parse(r.stdout) as { runId: string }).runId;
}

async function superviseToEnd(id: string): Promise<Run> {
  await cycleUntil(sup, async () => END.includes((await store.mustGetRun(id)).state), 1500, 300);
  return store.mustGetRun(id);
}

const states = (run: Run): string[][] => run.graph!.steps.map((s) => [s.id, s.state]);

/** The run's Slurm jobs in accounting (array tasks folded into their job), with the attempt in their tag. */
function jobsOf(id: string): { jobId: string; attempt: number | undefined }[] {
  return [...runJobsInAccounting(id)].map(([jobId, comment]) => {
    const attempt = /;attempt=(\d+)/.exec(comment)?.[1];
    return { jobId, attempt: attempt === undefined ? undefined : Number(attempt) };
  });
}

/**
 * The run's jobs once accounting has caught up: slurmdbd lists a job that has just ended a moment
 * after squeue forgets it, and may list it before its comment (our tag) arrives. A job without its
 * tag is not a job of attempt 0, and a job not listed yet is not a job never submitted. For runs
 * that submitted at least one job; a run that must have none is checked with `jobsOf`.
 */
async function settledJobsOf(id: string): Promise<{ jobId: string; attempt: number | undefined }[]> {
  for (let i = 0; i < 60; i++) {
    const jobs = jobsOf(id);
    if (jobs.length > 0 && jobs.every((j) => j.attempt !== undefined)) return jobs;
    await new Promise((r) => setTimeout(r, 500));
  }
  return jobsOf(id);
}

describe("submit --graph --only / --from on the local Slurm cluster", () => {
  it("--only merge before tokenize ran: stops naming the record, submits nothing", async () => {
    const id = submit("--only", "merge");
    const run = await superviseToEnd(id);
    expect(run.state, log.join("\n")).toBe("needs_attention");
    expect(run.attention).toMatch(
      /^step tokenize is needed by --only merge but is not selected, and its outputs do not verify: .*records\/tokenize\.0\.json: no record/
    );
    expect(jobsOf(id)).toEqual([]);
  }, 300_000);

  it("--only tokenize runs the tokenize array alone, never trains, and completes saying so", async () => {
    const id = submit("--only", "tokenize");
    const run = await superviseToEnd(id);
    expect(run.state, `${run.attention ?? ""}\n${log.join("\n")}`).toBe("completed");
    expect(states(run)).toEqual([
      ["convert", "not_selected"],
      ["tokenize", "done"],
      ["merge", "not_selected"],
      ["train", "not_selected"],
      ["export", "not_selected"]
    ]);
    // one Slurm job, the array; no training attempt was ever submitted
    const tok = run.graph!.steps.find((s) => s.id === "tokenize")!;
    expect(await settledJobsOf(id)).toEqual([{ jobId: tok.jobIds[0], attempt: 0 }]);
    expect((await store.getAttempt(id, 1))?.jobId).toBeUndefined();
    const events = await store.events(id);
    expect(events.map((e) => e.type)).not.toContain("attempt_submitted");
    const end = events.at(-1)!;
    expect([end.type, end.to]).toEqual(["run_completed", "completed"]);
    expect(end.cause).toBe(
      "--only tokenize: only step tokenize was run; not run (not selected): convert, merge, train, export"
    );

    // status says it in words and in JSON
    const text = runCli(["status", id], t.prefix);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      "selection: --only tokenize: only step tokenize runs; not run (not selected): convert, merge, train, export"
    );
    expect(text.stdout).toMatch(/train\s+train\s+not_selected/);
    const json = runCli(["status", id, "--json"], t.prefix);
    const row = JSON.parse(json.stdout) as {
      run: { state: string };
      selection: { only: string; notSelected: string[] };
      steps: { id: string; state: string }[];
    };
    expect(row.run.state).toBe("completed");
    expect(row.selection).toMatchObject({
      only: "tokenize",
      notSelected: ["convert", "merge", "train", "export"]
    });
    expect(row.steps.find((s) => s.id === "train")?.state).toBe("not_selected");
  }, 600_000);

  it("--only merge once tokenize verified: tokenize is reused, merge runs alone", async () => {
    const id = submit("--only", "merge");
    const run = await superviseToEnd(id);
    expect(run.state, `${run.attention ?? ""}\n${log.join("\n")}`).toBe("completed");
    expect(states(run)).toEqual([
      ["convert", "not_selected"],
      ["tokenize", "skipped"],
      ["merge", "done"],
      ["train", "not_selected"],
      ["export", "not_selected"]
    ]);
    expect(await settledJobsOf(id)).toHaveLength(1);
  }, 600_000);

  it("--only convert, then --only train: trains alone on the verified steps, export is not run", async () => {
    expect((await superviseToEnd(submit("--only", "convert"))).state).toBe("completed");
    const id = submit("--only", "train");
    const run = await superviseToEnd(id);
    expect(run.state, `${run.attention ?? ""}\n${log.join("\n")}`).toBe("completed");
    expect(states(run)).toEqual([
      ["convert", "skipped"],
      ["tokenize", "skipped"],
      ["merge", "skipped"],
      ["train", "done"],
      ["export", "not_selected"]
    ]);
    // training's attempts only: no step job at all
    const jobs = await settledJobsOf(id);
    expect(jobs.length).toBeGreaterThan(0);
    expect(
      jobs.every((j) => (j.attempt ?? 0) >= 1),
      JSON.stringify(jobs)
    ).toBe(true);
    const end = (await store.events(id)).at(-1)!;
    expect(end.type).toBe("run_completed");
    expect(end.cause).toContain("--only train: only step train was run; not run (not selected): export");
    const exportDef = run.graph!.graph.steps.find((s) => s.id === "export")!;
    expect(existsSync(join(exportDef.outputs[0]!.path, "config.json"))).toBe(false);
  }, 900_000);

  it("--from export exports the checkpoint training left, without training again", async () => {
    const id = submit("--from", "export");
    const run = await superviseToEnd(id);
    expect(run.state, `${run.attention ?? ""}\n${log.join("\n")}`).toBe("completed");
    expect(states(run)).toEqual([
      ["convert", "not_selected"],
      ["tokenize", "not_selected"],
      ["merge", "not_selected"],
      ["train", "not_selected"],
      ["export", "done"]
    ]);
    const jobs = await settledJobsOf(id);
    expect(jobs).toEqual([{ jobId: run.graph!.steps.find((s) => s.id === "export")!.jobIds[0], attempt: 0 }]);
    const exportDef = run.graph!.graph.steps.find((s) => s.id === "export")!;
    expect(existsSync(join(exportDef.outputs[0]!.path, "config.json"))).toBe(true);
  }, 600_000);

  it("--only without --graph is refused rather than ignored", () => {
    const r = runCli(
      ["submit", SPEC, "--cluster", CLUSTER, "--run-dir", inputs.runDir, "--only", "tokenize"],
      t.prefix
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr + r.stdout).toContain("--only");
    expect(r.stderr + r.stdout).toContain("it needs --graph");
  });
});

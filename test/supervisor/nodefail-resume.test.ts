import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ClusterProfile } from "@neoxctl/core";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import {
  createRun,
  Keys,
  LeaseManager,
  RunStore,
  SeriesStore,
  SlurmAdapter,
  Supervisor
} from "@neoxctl/supervisor";
import type { Attempt, ClusterHandle, Run, SubmitInput } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import type { ScenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";

const TRAIN_ITERS = 120;
/** attempt 1 crashes here, so attempt 2 resumes from checkpoint 20 */
const CRASH_AT = 25;
/** the fault hits attempt 2 once it has logged this step: checkpoints 30 and 40 are newer than what it loaded */
const FAULT_AFTER = 45;

/** A submission as the supervisor made it, with the newest complete checkpoint at that instant. */
interface Submitted {
  attempt: number;
  jobId: string;
  script: string;
  newestComplete: number | undefined;
}

/** Complete = NeoX's last save step done: the config files copied into `configs/`. */
function newestCompleteCheckpoint(save: string): number | undefined {
  if (!existsSync(save)) return undefined;
  const done = readdirSync(save)
    .map((d) => /^global_step(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(save, m[0], "configs")))
    .map((m) => Number(m[1]));
  return done.length ? Math.max(...done) : undefined;
}

function iterationsIn(log: string): number[] {
  return [...log.matchAll(/ iteration\s+(\d+)\/\s*\d+ \|/g)].map((m) => Number(m[1]));
}

function scontrol(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync("scontrol", args, { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** One run under a real Supervisor over Redis; every sbatch it makes is recorded. */
async function supervisedRun(name: string, inputs: ScenarioInputs, profile: ClusterProfile) {
  const t = await testRedis(name);
  const keys = new Keys(t.prefix);
  const store = new RunStore(t.redis, keys);
  const series = new SeriesStore(t.redis, keys);
  const exec = new LocalExecutor();
  const submitted: Submitted[] = [];
  const save = inputs.spec.checkpointing.save;
  // the supervisor submits a job only once its predecessor is gone, so the save directory read
  // here is what the next attempt can load: nothing of the old job still writes to it
  class RecordingAdapter extends SlurmAdapter {
    override async submit(req: SubmitInput): Promise<string> {
      const newestComplete = newestCompleteCheckpoint(save);
      const jobId = await super.submit(req);
      submitted.push({
        attempt: req.attempt,
        jobId,
        script: readFileSync(req.scriptPath, "utf8"),
        newestComplete
      });
      return jobId;
    }
  }
  const cluster: ClusterHandle = { exec, slurm: new RecordingAdapter(new SlurmClient(exec)) };
  const log: string[] = [];
  const sup = new Supervisor(store, new LeaseManager(t.redis, keys, `sup-${name}`, 5000), () => cluster, {
    log: (l) => log.push(l)
  });
  const run = await createRun(store, exec, { ...inputs, profile, repoRoot: REPO_ROOT });
  return {
    run,
    store,
    series,
    sup,
    submitted,
    cleanup: t.cleanup,
    /** the last logged step of `attempt` and its nodes, once that attempt is running */
    async progress(attempt: number): Promise<{ step: number; nodes: string[]; jobId: string } | undefined> {
      const r = await store.mustGetRun(run.id);
      if (r.state !== "running" || r.attempts !== attempt) return undefined;
      const a = await store.getAttempt(run.id, attempt);
      const last = (await series.lastBatch(run.id)).filter((p) => p.attempt === attempt).at(-1);
      return last && a?.nodes?.length && a.jobId
        ? { step: last.step, nodes: a.nodes, jobId: a.jobId }
        : undefined;
    },
    /** cycles until the run ends (or the old code's requeue note shows up); `between` injects faults */
    async drive(between: () => Promise<void>): Promise<Run> {
      for (let i = 0; i < 1500; i++) {
        await sup.cycle();
        const r = await store.mustGetRun(run.id);
        if (r.state === "completed" || r.state === "needs_attention" || r.state === "failed") break;
        // the supervisor left the job to Slurm's own requeue: the finding; what follows is Slurm's
        // 2-minute requeue delay and a rerun from the old checkpoint, so stop here
        if ((await store.events(run.id)).some((e) => e.type === "slurm_requeued")) break;
        await between();
        await new Promise((res) => setTimeout(res, 200));
      }
      await sup.release();
      return store.mustGetRun(run.id);
    },
    async trail(): Promise<string> {
      const events = await store.events(run.id);
      return `${events.map((e) => `${e.type}: ${e.cause}`).join("\n")}\n${log.slice(-15).join("\n")}`;
    },
    logOf(a: Attempt): string {
      return readFileSync(resolve(inputs.runDir, a.logPath), "utf8");
    }
  };
}

function writeSummary(name: string, summary: Record<string, unknown>): void {
  const out = join(REPO_ROOT, "test-results", "reliability");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
}

/**
 * Finding 11 of the hardening review: a fault during a resume attempt (attempt ≥ 2). Every attempt
 * is submitted --no-requeue and --open-mode=append, so Slurm ends the job (NODE_FAIL) instead of
 * rerunning its script from the checkpoint it was rendered with, and the supervisor resubmits from
 * the newest complete checkpoint without the node. Before, a resume attempt was requeueable: Slurm
 * requeued it, the supervisor only noted that, and the rerun retrained from the old checkpoint on
 * nodes nobody had excluded, truncating the attempt's output file.
 */
describe("a fault during a resume attempt", () => {
  const made: ScenarioInputs[] = [];
  const downed: string[] = [];
  const runs: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    // always: the cluster is shared, and a DOWN node stays DOWN until resumed
    for (const n of downed) spawnSync("scontrol", ["update", `nodename=${n}`, "state=resume"]);
    // a run cut short by a failed assertion may leave its job behind
    for (const id of runs) spawnSync("scancel", ["--name", `neoxctl-${id}`]);
    for (const c of cleanups) await c();
    for (const i of made) removeScenario(i);
  });

  function inputsFor(name: string): { inputs: ScenarioInputs; profile: ClusterProfile } {
    const inputs = scenarioInputs({
      name,
      trainIters: TRAIN_ITERS,
      lr: 0.0001,
      env: { NEOX_EMU_STEP_MS: "100", NEOX_EMU_CRASH_AT: String(CRASH_AT) }
    });
    made.push(inputs);
    // a node of its own: downing it must not kill other people's jobs on the shared cluster
    return {
      inputs,
      profile: { ...inputs.profile, scheduler: { ...inputs.profile.scheduler, exclusive: true } }
    };
  }

  it("node DOWN: costs no step past the newest complete checkpoint, excludes the node, keeps the attempt's log", async () => {
    const { inputs, profile } = inputsFor("nodefail-resume");
    const r = await supervisedRun("nodefail-resume", inputs, profile);
    cleanups.push(r.cleanup);
    runs.push(r.run.id);

    let node: string | undefined;
    let seenAtFault: number | undefined;
    let cyclesAfterFault = 0;
    const final = await r.drive(async () => {
      if (node) {
        cyclesAfterFault += 1;
        return;
      }
      const p = await r.progress(2);
      if (!p || p.step < FAULT_AFTER) return;
      seenAtFault = p.step;
      node = p.nodes[p.nodes.length - 1]!;
      downed.push(node);
      execFileSync("scontrol", [
        "update",
        `nodename=${node}`,
        "state=down",
        "reason=neoxctl-test-nodefail-resume"
      ]);
    });
    const trail = await r.trail();
    const events = await r.store.events(r.run.id);
    expect(node, trail).toBeDefined();
    expect(final.state, trail).toBe("completed");
    expect(
      events.filter((e) => e.type.startsWith("recover_")).map((e) => e.type),
      trail
    ).toEqual(["recover_app", "recover_node"]);

    // every attempt went to Slurm with requeue off and an appending output file
    expect(
      r.submitted.map((s) => s.attempt),
      trail
    ).toEqual([1, 2, 3]);
    for (const s of r.submitted) {
      expect(s.script).toContain("#SBATCH --no-requeue\n");
      expect(s.script).toContain("#SBATCH --open-mode=append\n");
    }

    const attempts = await r.store.attempts(final);
    const [a2, a3] = [attempts[1]!, attempts[2]!];
    expect(a2.params.load).toEqual({ kind: "resume", iteration: 20 });
    expect(a2.endState, trail).toMatch(/^(NODE_FAIL|CANCELLED)$/);

    // attempt 3 loads the newest complete checkpoint there was when it was submitted: newer than
    // what attempt 2 loaded (20), and not older than the last save before the fault
    const newest = r.submitted[2]!.newestComplete;
    expect(newest).toBeDefined();
    expect(newest!).toBeGreaterThanOrEqual(10 * Math.floor((seenAtFault! - 1) / 10));
    expect(a3.params.load, trail).toEqual({ kind: "resume", iteration: newest });
    const log3 = r.logOf(a3);
    expect(log3).toContain(`Loading checkpoint and starting from iteration ${newest}`);
    expect(iterationsIn(log3)[0]).toBe(newest! + 1);
    expect(iterationsIn(log3).at(-1)).toBe(TRAIN_ITERS);

    // the failed node is blamed and kept out of the resubmission
    expect(a3.params.excludeNodes, trail).toContain(node);
    expect(r.submitted[2]!.script).toMatch(new RegExp(`^#SBATCH --exclude=(.*,)?${node}(,.*)?$`, "m"));
    expect(a3.nodes ?? [], trail).not.toContain(node);
    expect((await r.store.badNodes(r.run.id)).map((b) => b.node)).toContain(node);

    // attempt 2's own log still holds what it printed before the fault
    const log2 = r.logOf(a2);
    const it2 = iterationsIn(log2);
    expect(log2).toContain("Loading checkpoint and starting from iteration 20");
    expect(it2[0]).toBe(21);
    expect(Math.max(...it2)).toBeGreaterThanOrEqual(seenAtFault!);

    const recovery = events.find((e) => e.type === "recover_node")!;
    writeSummary("nodefail-resume", {
      node,
      seenAtFault,
      attempt2: { loaded: 20, lastLogged: Math.max(...it2), endState: a2.endState, jobId: a2.jobId },
      newestCompleteAtResubmit: newest,
      attempt3: {
        load: a3.params.load,
        firstLogged: iterationsIn(log3)[0],
        exclude: a3.params.excludeNodes,
        nodes: a3.nodes
      },
      stepsRedone: Math.max(...it2) - newest!,
      stepsRedoneBefore: Math.max(...it2) - 20,
      recovery: recovery.cause,
      cyclesAfterFault,
      attempts: final.attempts
    });
  }, 600_000);

  it("admin requeue: refused while requeue is off; if re-enabled, taken over without blaming a node", async () => {
    const { inputs, profile } = inputsFor("admin-requeue");
    const r = await supervisedRun("admin-requeue", inputs, profile);
    cleanups.push(r.cleanup);
    runs.push(r.run.id);

    let refused: { status: number | null; output: string } | undefined;
    let seenAtRequeue: number | undefined;
    const final = await r.drive(async () => {
      if (refused) return;
      const p = await r.progress(2);
      if (!p || p.step < FAULT_AFTER) return;
      seenAtRequeue = p.step;
      refused = scontrol("requeue", p.jobId);
      // what an administrator would have to do first: turn requeue back on for the job
      if (refused.status !== 0) {
        execFileSync("scontrol", ["update", `jobid=${p.jobId}`, "requeue=1"]);
        execFileSync("scontrol", ["requeue", p.jobId]);
      }
    });
    const trail = await r.trail();
    expect(refused, trail).toBeDefined();
    expect(refused!.status, refused!.output).not.toBe(0);
    expect(refused!.output).toMatch(/disabled/i);

    expect(final.state, trail).toBe("completed");
    const events = await r.store.events(r.run.id);
    expect(
      events.filter((e) => e.type.startsWith("recover_")).map((e) => e.type),
      trail
    ).toEqual(["recover_app", "recover_timeout"]);
    // an administrator's requeue names no failed node: nobody is blamed
    expect(await r.store.badNodes(r.run.id)).toEqual([]);
    const attempts = await r.store.attempts(final);
    const [a2, a3] = [attempts[1]!, attempts[2]!];
    expect(a2.endState, trail).toBe("CANCELLED");
    const newest = r.submitted.find((s) => s.attempt === 3)?.newestComplete;
    expect(newest!).toBeGreaterThanOrEqual(10 * Math.floor((seenAtRequeue! - 1) / 10));
    expect(a3.params.load).toEqual({ kind: "resume", iteration: newest });
    // the requeued job never ran again: its log is whole, from 21 past the requeue point
    const it2 = iterationsIn(r.logOf(a2));
    expect(it2[0]).toBe(21);
    expect(Math.max(...it2)).toBeGreaterThanOrEqual(seenAtRequeue!);
    writeSummary("admin-requeue", {
      refusedWith: refused!.output.trim(),
      seenAtRequeue,
      newestCompleteAtResubmit: newest,
      attempt2LastLogged: Math.max(...it2),
      recovery: events.find((e) => e.type === "recover_timeout")?.cause
    });
  }, 600_000);
});

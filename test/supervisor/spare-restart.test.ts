import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { createRun, Keys, LeaseManager, RunStore, SlurmAdapter, Supervisor } from "@neoxctl/supervisor";
import type { ClusterHandle, SubmitInput } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import type { ScenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";

const TRAIN_ITERS = 300;
/** the node goes DOWN once the job has logged this step: checkpoints up to it exist */
const FAULT_AFTER = 60;

function iterationsIn(log: string): number[] {
  return [...log.matchAll(/ iteration\s+(\d+)\/\s*\d+ \|/g)].map((m) => Number(m[1]));
}

/** Complete = NeoX's last save step done: the config files copied into `configs/`. */
function completeCheckpoints(save: string): number[] {
  if (!existsSync(save)) return [];
  return readdirSync(save)
    .map((d) => /^global_step(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(save, m[0], "configs")))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

interface Tracked {
  inputs: ScenarioInputs[];
  runIds: string[];
  cleanups: (() => Promise<void>)[];
}

/** A run of 2 training nodes with spares under a real Supervisor over Redis; every sbatch it makes is recorded. */
async function spareRig(name: string, resilience: string, track: Tracked) {
  const inputs = scenarioInputs({
    name,
    trainIters: TRAIN_ITERS,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "150" },
    resilience
  });
  track.inputs.push(inputs);
  // nodes of its own: downing one must not kill other people's jobs on the shared cluster
  const profile = { ...inputs.profile, scheduler: { ...inputs.profile.scheduler, exclusive: true } };
  const t = await testRedis(name);
  track.cleanups.push(t.cleanup);
  const keys = new Keys(t.prefix);
  const store = new RunStore(t.redis, keys);
  const exec = new LocalExecutor();
  const submitted: { attempt: number; jobId: string; script: string }[] = [];
  class RecordingAdapter extends SlurmAdapter {
    override async submit(req: SubmitInput): Promise<string> {
      const jobId = await super.submit(req);
      submitted.push({ attempt: req.attempt, jobId, script: readFileSync(req.scriptPath, "utf8") });
      return jobId;
    }
  }
  const cluster: ClusterHandle = { exec, slurm: new RecordingAdapter(new SlurmClient(exec)) };
  const log: string[] = [];
  const sup = new Supervisor(store, new LeaseManager(t.redis, keys, `sup-${name}`, 5000), () => cluster, {
    log: (l) => log.push(l)
  });
  const run = await createRun(store, exec, { ...inputs, profile, repoRoot: REPO_ROOT });
  track.runIds.push(run.id);
  return { inputs, store, sup, run, submitted, log };
}

/** The nodes the job's current launch trains on (the hostfile the batch script wrote for it). */
function trainingNodes(runDir: string, jobId: string): string[] {
  const hostfile = join(runDir, `hostfile.${jobId}`);
  if (!existsSync(hostfile)) return [];
  return readFileSync(hostfile, "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(" ")[0]!);
}

/**
 * Spare nodes on the real cluster: a run of 2 training nodes + 1 spare (--no-kill). A training node
 * is set DOWN mid-run; Slurm takes it out of the job without ending it, the batch script restarts
 * training on the spare from the newest complete checkpoint, and the supervisor only records that.
 * The same Slurm job completes the run: one submission, one job id in sacct.
 */
describe("spare nodes: a node failure is handled inside the job", () => {
  const track: Tracked = { inputs: [], runIds: [], cleanups: [] };
  const downed: string[] = [];
  afterAll(async () => {
    // always: the cluster is shared, and a DOWN node stays DOWN until resumed
    for (const n of downed) spawnSync("scontrol", ["update", `nodename=${n}`, "state=resume"]);
    for (const id of track.runIds) spawnSync("scancel", ["--name", `neoxctl-${id}`]);
    for (const c of track.cleanups) await c();
    for (const i of track.inputs) removeScenario(i);
  });

  it("2 nodes + 1 spare: the same job continues on the spare from the newest checkpoint and completes", async () => {
    const rig = await spareRig("spare-restart", "  spare_nodes: 1", track);
    const { inputs: i, store, sup, run, submitted, log } = rig;

    let lost: string | undefined;
    let trained: string[] = [];
    let newestAtFault: number | undefined;
    for (let c = 0; c < 1500; c++) {
      await sup.cycle();
      const r = await store.mustGetRun(run.id);
      if (r.state === "completed" || r.state === "needs_attention" || r.state === "failed") break;
      const a = await store.getAttempt(run.id, r.attempts);
      const logPath = a ? resolve(i.runDir, a.logPath) : undefined;
      if (!lost && r.state === "running" && a?.jobId && logPath && existsSync(logPath)) {
        const steps = iterationsIn(readFileSync(logPath, "utf8"));
        const hostfile = join(i.runDir, `hostfile.${a.jobId}`);
        if ((steps.at(-1) ?? 0) >= FAULT_AFTER && existsSync(hostfile)) {
          trained = readFileSync(hostfile, "utf8")
            .trim()
            .split("\n")
            .map((l) => l.split(" ")[0]!);
          // a node that trains, and not the one running the batch script (its loss ends any job)
          lost = trained.find((n) => n !== a.nodes?.[0]) ?? trained[0]!;
          newestAtFault = completeCheckpoints(i.spec.checkpointing.save).at(-1);
          downed.push(lost);
          execFileSync("scontrol", [
            "update",
            `nodename=${lost}`,
            "state=down",
            "reason=neoxctl-test-spare-restart"
          ]);
        }
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    await sup.release();
    // restore the node at once: the rest of the checks need no DOWN node
    for (const n of downed.splice(0)) execFileSync("scontrol", ["update", `nodename=${n}`, "state=resume"]);

    const final = await store.mustGetRun(run.id);
    const events = await store.events(run.id);
    const trail = `${events.map((e) => `${e.type}: ${e.cause}`).join("\n")}\n${log.slice(-15).join("\n")}`;
    expect(lost, trail).toBeDefined();
    expect(final.state, trail).toBe("completed");

    // one submission, one attempt, one Slurm job: no resubmission, no queue wait
    expect(
      submitted.map((s) => s.attempt),
      trail
    ).toEqual([1]);
    expect(final.attempts).toBe(1);
    expect(
      events.filter((e) => e.type.startsWith("recover_")),
      trail
    ).toEqual([]);
    const jobId = submitted[0]!.jobId;
    expect(submitted[0]!.script).toContain("#SBATCH --nodes=3\n");
    expect(submitted[0]!.script).toContain("#SBATCH --no-kill\n");
    const sacct = execFileSync(
      "sacct",
      ["-X", "-n", "-P", "-o", "JobID,State,NodeList", "--name", `neoxctl-${run.id}`],
      {
        encoding: "utf8"
      }
    );
    const rows = sacct.trim().split("\n");
    // Slurm 22.05 keeps the allocation as it was before the node left as a RESIZING record of the same id
    expect(new Set(rows.map((r) => r.split("|")[0])), sacct).toEqual(new Set([jobId]));
    expect(rows.at(-1)!.split("|")[1], sacct).toBe("COMPLETED");
    expect(rows.at(-1)!.split("|")[2], sacct).not.toContain(lost!.replace(/^nid0*/, ""));

    // the restart: on the spare, without the lost node, from the newest complete checkpoint
    const [attempt] = await store.attempts(final);
    const out = readFileSync(resolve(i.runDir, attempt!.logPath), "utf8");
    const marker =
      /^neoxctl-restart: in-job restart 1\/2 on (\S+) without (\S+) from checkpoint (\d+)$/m.exec(out);
    expect(marker, out.slice(-3000)).not.toBeNull();
    const [, nodes, without, from] = marker!;
    expect(without).toBe(lost);
    expect(nodes!.split(",")).not.toContain(lost);
    expect(nodes!.split(",")).toHaveLength(2);
    // in Slurm's order: srun sorts --nodelist, and MASTER_ADDR (the first) must be rank 0's node; the
    // emulator's rank 0 fails the step otherwise, as torch.distributed's store would
    expect(nodes!.split(",")).toEqual([...nodes!.split(",")].sort());
    expect(trainingNodes(i.runDir, jobId)[0]).toBe(nodes!.split(",")[0]);
    const resumed = Number(from);
    expect(resumed).toBeGreaterThanOrEqual(newestAtFault!);
    expect(completeCheckpoints(i.spec.checkpointing.save)).toContain(resumed);
    const after = out.slice(out.indexOf(marker![0]));
    expect(after).toContain(`Loading checkpoint and starting from iteration ${resumed}`);
    expect(iterationsIn(after)[0]).toBe(resumed + 1);
    expect(iterationsIn(after).at(-1)).toBe(TRAIN_ITERS);
    // the pre-flight ran once, before the first launch
    expect(out.match(/neoxctl-preflight: OK/g)).toHaveLength(1);

    // the supervisor recorded it and blames the node for later attempts
    const restart = events.filter((e) => e.type === "in_job_restart");
    expect(restart, trail).toHaveLength(1);
    expect(restart[0]!.evidence).toMatchObject({
      jobId,
      nodes: [lost],
      detail: { restart: 1, max: 2, newNodes: nodes!.split(","), from: `checkpoint ${resumed}` }
    });
    expect((await store.badNodes(run.id)).map((b) => b.node)).toContain(lost);

    const outDir = join(REPO_ROOT, "test-results", "reliability");
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      join(outDir, "spare-restart.json"),
      `${JSON.stringify({ jobId, trainedOn: trained, lost, newestAtFault, resumedFrom: resumed, restartedOn: nodes, sacct: rows, event: restart[0]!.cause }, null, 2)}\n`
    );
  }, 600_000);

  it("spares used up: the next node failure ends the job; the next attempt excludes both nodes, as without spares", async () => {
    const {
      inputs: i,
      store,
      sup,
      run,
      submitted,
      log
    } = await spareRig("spare-exhausted", "  spare_nodes: 1", track);
    const lost: string[] = [];
    for (let c = 0; c < 1500 && submitted.length < 2; c++) {
      await sup.cycle();
      const r = await store.mustGetRun(run.id);
      if (r.state === "completed" || r.state === "needs_attention" || r.state === "failed") break;
      const a = await store.getAttempt(run.id, 1);
      if (r.attempts !== 1 || r.state !== "running" || !a?.jobId) continue;
      const out = readFileSync(resolve(i.runDir, a.logPath), "utf8");
      const restarted = out.includes("neoxctl-restart: in-job restart 1/2");
      const steps = iterationsIn(
        out.slice(restarted ? out.indexOf("neoxctl-restart: in-job restart 1/2") : 0)
      );
      // first fault once step 60 is logged; the second once the restarted step has trained 20 steps
      const due =
        lost.length === 0
          ? (steps.at(-1) ?? 0) >= FAULT_AFTER
          : restarted && lost.length === 1 && steps.length >= 20;
      if (!due) {
        await new Promise((res) => setTimeout(res, 200));
        continue;
      }
      const node = trainingNodes(i.runDir, a.jobId).find((n) => n !== a.nodes?.[0] && !lost.includes(n));
      if (!node) continue;
      lost.push(node);
      downed.push(node);
      execFileSync("scontrol", [
        "update",
        `nodename=${node}`,
        "state=down",
        "reason=neoxctl-test-spare-exhausted"
      ]);
    }
    await sup.release();
    for (const n of downed.splice(0)) execFileSync("scontrol", ["update", `nodename=${n}`, "state=resume"]);

    const events = await store.events(run.id);
    const trail = `${events.map((e) => `${e.type}: ${e.cause}`).join("\n")}\n${log.slice(-15).join("\n")}`;
    expect(lost, trail).toHaveLength(2);
    expect(
      events.filter((e) => e.type === "in_job_restart").map((e) => e.evidence.nodes),
      trail
    ).toEqual([[lost[0]]]);
    // as without spares: the supervisor blames the node and resubmits without it (and without the first)
    const recovery = events.filter((e) => e.type === "recover_node");
    expect(recovery, trail).toHaveLength(1);
    expect(recovery[0]!.evidence.nodes).toEqual([lost[1]]);
    // attempt 2 is rendered without both nodes; on this 4-node cluster Slurm cannot place 3 nodes without
    // them, so sbatch refuses it (a real cluster has the nodes) and the run waits for a human
    const script2 = readFileSync(join(i.runDir, "attempts", "2", "job.sbatch"), "utf8");
    const exclude = /^#SBATCH --exclude=(.*)$/m.exec(script2)?.[1]?.split(",") ?? [];
    expect(exclude, trail).toEqual(expect.arrayContaining([lost[0], lost[1]]));
    expect(script2).toContain("#SBATCH --nodes=3\n");
    expect(submitted.length === 2 || events.some((e) => e.type === "submit_rejected"), trail).toBe(true);
    const [a1] = await store.attempts(await store.mustGetRun(run.id));
    const out = readFileSync(resolve(i.runDir, a1!.logPath), "utf8");
    // the script ends the job itself unless the supervisor's cancel came first
    if (a1!.endState === "FAILED")
      expect(out).toMatch(
        new RegExp(
          `^neoxctl-restart: node failure on ${lost[1]}, no spare node left \\(1/2 in-job restarts\\); ending the job$`,
          "m"
        )
      );
    else expect(a1!.endState, trail).toBe("CANCELLED");
    expect((await store.badNodes(run.id)).map((b) => b.node).sort()).toEqual([...lost].sort());
  }, 600_000);
});

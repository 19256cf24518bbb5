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

/**
 * Spare nodes on the real cluster: a run of 2 training nodes + 1 spare (--no-kill). A training node
 * is set DOWN mid-run; Slurm takes it out of the job without ending it, the batch script restarts
 * training on the spare from the newest complete checkpoint, and the supervisor only records that.
 * The same Slurm job completes the run: one submission, one job id in sacct.
 */
describe("spare nodes: a node failure is handled inside the job", () => {
  let inputs: ScenarioInputs | undefined;
  const downed: string[] = [];
  let runId: string | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    // always: the cluster is shared, and a DOWN node stays DOWN until resumed
    for (const n of downed) spawnSync("scontrol", ["update", `nodename=${n}`, "state=resume"]);
    if (runId) spawnSync("scancel", ["--name", `neoxctl-${runId}`]);
    await cleanup?.();
    if (inputs) removeScenario(inputs);
  });

  it("2 nodes + 1 spare: the same job continues on the spare from the newest checkpoint and completes", async () => {
    inputs = scenarioInputs({
      name: "spare-restart",
      trainIters: TRAIN_ITERS,
      lr: 0.0001,
      env: { NEOX_EMU_STEP_MS: "150" },
      resilience: "  spare_nodes: 1"
    });
    const i = inputs;
    // nodes of its own: downing one must not kill other people's jobs on the shared cluster
    const profile = { ...i.profile, scheduler: { ...i.profile.scheduler, exclusive: true } };
    const t = await testRedis("spare-restart");
    cleanup = t.cleanup;
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
    const sup = new Supervisor(
      store,
      new LeaseManager(t.redis, keys, "sup-spare-restart", 5000),
      () => cluster,
      {
        log: (l) => log.push(l)
      }
    );
    const run = await createRun(store, exec, { ...i, profile, repoRoot: REPO_ROOT });
    runId = run.id;

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
});

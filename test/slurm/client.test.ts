import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExecutor } from "@neoxctl/exec";
import type { Executor, ExecTarget } from "@neoxctl/exec";
import { SlurmClient, StatusPoller } from "@neoxctl/slurm";
import { ensureSshd, localTarget, sshTarget } from "../support/targets.ts";
import { cleanUp, pollUntil, scriptDir } from "./helpers.ts";

// Real Slurm (test/cluster/up.sh): nid001–nid004 in standard-g. Both executors run the same
// scenarios. Each suite uses its own nodes for the node-failure cases so that nothing it downs
// hits the other suite's jobs: local → nid003, ssh → nid004.
describe.each([
  ["local", localTarget, "nid003"],
  ["ssh", sshTarget, "nid004"]
] as [string, ExecTarget, string][])("Slurm client through the %s executor", (name, target, victim) => {
  let exec: Executor;
  let client: SlurmClient;
  let dir: string;
  let script: (name: string, body: string) => Promise<string>;
  const submitted: string[] = [];
  const downed: string[] = [];
  let timeoutJob = "";
  const runId = `it-${name}-${process.pid}`;

  beforeAll(async () => {
    if (target.kind === "ssh") ensureSshd();
    exec = await createExecutor(target);
    client = new SlurmClient(exec);
    ({ dir, script } = await scriptDir(`neoxctl-slurm-${name}-`));
    // the time-limit case takes a minute or more (Slurm checks limits about every 30 s), so it
    // starts first and is checked last, overlapping the other cases
    const sleeper = await script("sleep-long.sh", "sleep 600");
    timeoutJob = await client.submit({
      scriptPath: sleeper,
      runId: `${runId}-to`,
      attempt: 1,
      cwd: dir,
      time: "1",
      extraArgs: ["--nodelist=nid001"]
    });
    submitted.push(timeoutJob);
  });

  afterAll(async () => {
    await cleanUp(client, submitted, downed);
    await exec.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("submits a tagged 2-node job, sees it RUNNING on two nodes, and cancels it", async () => {
    const s = await script("two-nodes.sh", "srun hostname; sleep 300");
    const id = await client.submit({
      scriptPath: s,
      runId,
      attempt: 1,
      nonce: "c0ffee01",
      cwd: dir,
      exclude: ["nid003", "nid004"],
      extraArgs: ["--nodes=2"]
    });
    submitted.push(id);
    const poller = new StatusPoller(client);
    const running = await pollUntil(poller, [id], (j) => j?.state === "RUNNING", 60_000);
    const st = running.statuses.get(id);
    expect(st?.nodes).toHaveLength(2);
    expect(st?.nodes.every((n) => /^nid00[12]$/.test(n))).toBe(true);
    expect(st?.tag).toEqual({ runId, attempt: 1, nonce: "c0ffee01" });
    expect(st?.name).toBe(`neoxctl-${runId}`);
    expect(running.commands).toEqual(["squeue --json"]);

    const found = await client.findSubmissions(runId);
    expect(found.find((j) => j.jobId === id)?.tag?.nonce).toBe("c0ffee01");

    await client.cancel([id]);
    const ended = await pollUntil(poller, [id], (j) => j?.state === "CANCELLED", 60_000);
    expect(ended.statuses.get(id)?.state).toBe("CANCELLED");
    await client.cancel([id]); // cancelling an ended job is not an error
  });

  it("reports a failing script as FAILED with its exit code", async () => {
    const s = await script("fail.sh", "echo failing >&2; exit 3");
    const id = await client.submit({ scriptPath: s, runId: `${runId}-f`, attempt: 2, cwd: dir });
    submitted.push(id);
    const r = await pollUntil(new StatusPoller(client), [id], (j) => j?.state === "FAILED", 60_000);
    expect(r.statuses.get(id)).toMatchObject({
      state: "FAILED",
      exitCode: 3,
      signal: null,
      tag: { runId: `${runId}-f`, attempt: 2 }
    });
  });

  it("holds and releases a pending job", async () => {
    const s = await script("short.sh", "true");
    const id = await client.submit({
      scriptPath: s,
      runId: `${runId}-h`,
      attempt: 1,
      cwd: dir,
      extraArgs: ["--hold"]
    });
    submitted.push(id);
    const poller = new StatusPoller(client);
    const held = await poller.poll([id]);
    expect(held.statuses.get(id)).toMatchObject({ state: "PENDING", reason: "JobHeldUser" });
    await client.release([id]);
    await pollUntil(poller, [id], (j) => j?.state === "COMPLETED", 60_000);
  });

  it("sees Slurm requeue a job whose node goes DOWN, and names the node", async () => {
    const s = await script("victim.sh", "sleep 300");
    const id = await client.submit({
      scriptPath: s,
      runId: `${runId}-nf`,
      attempt: 1,
      cwd: dir,
      extraArgs: [`--nodelist=${victim}`]
    });
    submitted.push(id);
    const poller = new StatusPoller(client);
    await pollUntil(poller, [id], (j) => j?.state === "RUNNING", 60_000);
    downed.push(victim);
    try {
      await client.setNodeState([victim], "down", "neoxctl test: node failure");
      const r = await pollUntil(poller, [id], (j) => (j?.restarts ?? 0) >= 1, 60_000);
      expect(r.requeues).toEqual([
        { jobId: id, restarts: 1, previousNodes: [victim], failedNodes: [victim] }
      ]);
      const node = (await client.nodes()).find((n) => n.name === victim);
      expect(node).toMatchObject({ availability: "down", reason: "neoxctl test: node failure" });
    } finally {
      await client.cancel([id]);
      await client.setNodeState([victim], "resume");
    }
  });

  it("sees a non-requeueable job end as NODE_FAIL on the failed node", async () => {
    const s = await script("victim2.sh", "sleep 300");
    const id = await client.submit({
      scriptPath: s,
      runId: `${runId}-nf2`,
      attempt: 1,
      cwd: dir,
      extraArgs: [`--nodelist=${victim}`, "--no-requeue"]
    });
    submitted.push(id);
    const poller = new StatusPoller(client);
    await pollUntil(poller, [id], (j) => j?.state === "RUNNING", 60_000);
    try {
      await client.setNodeState([victim], "down", "neoxctl test: node failure 2");
      const r = await pollUntil(poller, [id], (j) => j?.state === "NODE_FAIL", 60_000);
      expect(r.statuses.get(id)).toMatchObject({ state: "NODE_FAIL", nodes: [victim], restarts: 0 });
      expect(r.nodeFailures).toEqual([{ jobId: id, nodes: [victim], failedNodes: [victim] }]);
    } finally {
      await client.setNodeState([victim], "resume");
    }
    // a resumed node answers the controller's next ping before it counts as up again
    const deadline = Date.now() + 60_000;
    let back = (await client.nodes()).find((n) => n.name === victim);
    while (back?.availability === "down" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      back = (await client.nodes()).find((n) => n.name === victim);
    }
    expect(back?.availability).not.toBe("down");
  });

  it("ends a job past its --time limit as TIMEOUT", async () => {
    const r = await pollUntil(new StatusPoller(client), [timeoutJob], (j) => j?.state === "TIMEOUT", 150_000);
    expect(r.statuses.get(timeoutJob)).toMatchObject({
      state: "TIMEOUT",
      timeLimitMinutes: 1,
      nodes: ["nid001"]
    });
  }, 180_000);

  it("reads the same jobs through scontrol (the no-accounting path) as through squeue", async () => {
    const ids = submitted.slice(1);
    const viaSqueue = new Map((await client.queue()).map((j) => [j.jobId, j]));
    const viaScontrol = new Map((await client.controllerJobs()).map((j) => [j.jobId, j]));
    for (const id of ids) {
      const a = viaSqueue.get(id);
      const b = viaScontrol.get(id);
      expect(b, `job ${id} via scontrol`).toBeDefined();
      expect({ state: b?.state, exitCode: b?.exitCode, nodes: b?.nodes, tag: b?.tag }).toEqual({
        state: a?.state,
        exitCode: a?.exitCode,
        nodes: a?.nodes,
        tag: a?.tag
      });
    }
  });
});

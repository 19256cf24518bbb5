import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient, StatusPoller } from "@neoxctl/slurm";
import { REPO_ROOT } from "../support/targets.ts";
import { cleanUp, pollUntil, scriptDir } from "./helpers.ts";

// Switches the shared test cluster to accounting_storage/none and back (up.sh restarts
// slurmctld each way, a few seconds). CI runs test files one at a time, so nothing else is
// talking to Slurm meanwhile; set NEOXCTL_TEST_NO_ACCOUNTING_SWITCH=0 to skip it on a machine
// where others are using the cluster at the same time.
const upScript = join(REPO_ROOT, "test/cluster/up.sh");
const skip = process.env.NEOXCTL_TEST_NO_ACCOUNTING_SWITCH === "0";

describe.skipIf(skip)("Slurm without accounting (sacct disabled)", () => {
  const client = new SlurmClient(new LocalExecutor());
  const jobs: string[] = [];
  // unique per run: ended jobs of earlier runs stay visible for MinJobAge
  const runId = `noacct-${process.pid}-${Date.now()}`;
  let dir = "";
  let script: (name: string, body: string) => Promise<string>;

  beforeAll(async () => {
    execFileSync("bash", [upScript, "--no-accounting"], { stdio: ["ignore", "ignore", "inherit"] });
    ({ dir, script } = await scriptDir("neoxctl-noacct-"));
  });

  afterAll(async () => {
    await cleanUp(client, jobs, []);
    execFileSync("bash", [upScript], { stdio: ["ignore", "ignore", "inherit"] });
    await rm(dir, { recursive: true, force: true });
  });

  it("detects it, polls through squeue + scontrol, and never asks sacct again", async () => {
    expect(await client.accounting()).toBe("off");
    expect(await client.accountingRecords(["1"])).toBeNull();

    const s = await script("fail.sh", "exit 7");
    const id = await client.submit({ scriptPath: s, runId, attempt: 1, cwd: dir });
    jobs.push(id);
    const poller = new StatusPoller(client);
    // an id Slurm never had keeps the fallback path in play every cycle
    const ghost = "987654321";
    const first = await poller.poll([id, ghost]);
    expect(first.commands).toEqual(["squeue --json", "sacct", "scontrol show job"]);
    expect(first.accounting).toBe("off");
    expect(first.missing).toEqual([ghost]);

    const done = await pollUntil(poller, [id, ghost], (j) => j?.state === "FAILED", 60_000, id);
    expect(done.statuses.get(id)).toMatchObject({ state: "FAILED", exitCode: 7, tag: { runId, attempt: 1 } });
    expect(done.commands).toEqual(["squeue --json", "scontrol show job"]);

    const viaScontrol = (await client.controllerJobs()).find((j) => j.jobId === id);
    expect(viaScontrol).toMatchObject({ state: "FAILED", exitCode: 7, source: "scontrol" });
    expect((await client.findSubmissions(runId)).map((j) => j.jobId)).toEqual([id]);
  });
});

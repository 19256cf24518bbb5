import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ExecOptions, ExecResult, Executor } from "@neoxctl/exec";
import { SlurmClient } from "./client.ts";
import { StatusPoller } from "./poller.ts";

const fx = (name: string): string =>
  readFileSync(new URL(`./__fixtures__/22.05.8/${name}`, import.meta.url), "utf8");

/**
 * Plays back output captured from the real test cluster (Slurm 22.05.8) by command name, and
 * records every command — this checks the poller's call budget, not Slurm.
 */
class ReplayExecutor implements Executor {
  readonly kind = "local" as const;
  readonly target = "replay";
  readonly calls: string[][] = [];
  constructor(private readonly answers: Record<string, () => Partial<ExecResult>>) {}
  run(argv: readonly string[], _options?: ExecOptions): Promise<ExecResult> {
    this.calls.push([...argv]);
    const key = argv[0] === "scontrol" ? `scontrol ${argv.slice(1).join(" ")}` : (argv[0] ?? "");
    const answer = this.answers[key];
    if (!answer) throw new Error(`unexpected command ${argv.join(" ")}`);
    return Promise.resolve({
      command: argv,
      exitCode: 0,
      signal: null,
      stdout: "",
      stderr: "",
      durationMs: 1,
      ...answer()
    });
  }
  readFrom(): Promise<{ data: Buffer; size: number }> {
    return Promise.reject(new Error("not used"));
  }
  writeFile(): Promise<void> {
    return Promise.reject(new Error("not used"));
  }
  uploadDir(): Promise<void> {
    return Promise.reject(new Error("not used"));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** the captured squeue answer without job 7, as if it had aged out of the controller */
function squeueWithout7(): string {
  const doc = JSON.parse(fx("squeue.json")) as { jobs: { job_id: number }[] };
  doc.jobs = doc.jobs.filter((j) => j.job_id !== 7);
  return JSON.stringify(doc);
}

describe("StatusPoller call budget", () => {
  it("answers 5 tracked jobs with a single squeue call when all are in the queue", async () => {
    const ex = new ReplayExecutor({ squeue: () => ({ stdout: fx("squeue.json") }) });
    const r = await new StatusPoller(new SlurmClient(ex)).poll(["1", "2", "3", "4", "5"]);
    expect(ex.calls.map((c) => c[0])).toEqual(["squeue"]);
    expect([...r.statuses.keys()].sort()).toEqual(["1", "2", "3", "4", "5"]);
    expect(r.missing).toEqual([]);
  });

  it("looks at node states once when a tracked job first shows NODE_FAIL, not every cycle", async () => {
    const ex = new ReplayExecutor({
      squeue: () => ({ stdout: fx("squeue.json") }),
      sinfo: () => ({ stdout: fx("sinfo-down-drain.json") })
    });
    const poller = new StatusPoller(new SlurmClient(ex));
    const first = await poller.poll(["1", "6"]);
    expect(first.commands).toEqual(["squeue --json", "sinfo --json"]);
    expect(first.nodeFailures).toEqual([{ jobId: "6", nodes: ["nid003"], failedNodes: ["nid003"] }]);
    const second = await poller.poll(["1", "6"]);
    expect(second.commands).toEqual(["squeue --json"]);
    expect(second.nodeFailures).toEqual([]);
  });

  it("asks sacct once for jobs that left the queue", async () => {
    const ex = new ReplayExecutor({
      squeue: () => ({ stdout: squeueWithout7() }),
      sacct: () => ({ stdout: fx("sacct.txt") })
    });
    const r = await new StatusPoller(new SlurmClient(ex)).poll(["1", "7", "424242"]);
    expect(ex.calls.map((c) => c[0])).toEqual(["squeue", "sacct"]);
    expect(ex.calls[1]).toContain("7,424242");
    expect(r.statuses.get("7")).toMatchObject({ state: "TIMEOUT", source: "sacct" });
    expect(r.missing).toEqual(["424242"]);
    expect(r.accounting).toBe("on");
  });

  it("falls back to one scontrol call when sacct says accounting is disabled, and stops asking sacct", async () => {
    const ex = new ReplayExecutor({
      squeue: () => ({ stdout: squeueWithout7() }),
      sacct: () => ({ exitCode: 1, stderr: "Slurm accounting storage is disabled\n" }),
      "scontrol -o show job": () => ({ stdout: fx("scontrol-show-job.txt") })
    });
    const poller = new StatusPoller(new SlurmClient(ex));
    const first = await poller.poll(["1", "7"]);
    expect(first.commands).toEqual(["squeue --json", "sacct", "scontrol show job"]);
    expect(first.accounting).toBe("off");
    expect(first.statuses.get("7")).toMatchObject({
      state: "TIMEOUT",
      source: "scontrol",
      nodes: ["nid004"]
    });
    const second = await poller.poll(["1", "7"]);
    expect(second.commands).toEqual(["squeue --json", "scontrol show job"]);
  });

  it("reports a controller outage as SLURM_UNAVAILABLE", async () => {
    const ex = new ReplayExecutor({
      squeue: () => ({ stdout: fx("unavailable-squeue.txt").replace(/exit=\d+\s*$/, "") })
    });
    await expect(new StatusPoller(new SlurmClient(ex)).poll(["1"])).rejects.toMatchObject({
      code: "SLURM_UNAVAILABLE"
    });
    const sb = new ReplayExecutor({
      sbatch: () => ({ exitCode: 1, stderr: fx("unavailable-sbatch.txt").replace(/exit=\d+\s*$/, "") })
    });
    await expect(
      new SlurmClient(sb).submit({ scriptPath: "/x.sh", runId: "r", attempt: 1 })
    ).rejects.toMatchObject({
      code: "SLURM_UNAVAILABLE"
    });
    const rej = new ReplayExecutor({
      sbatch: () => ({
        exitCode: 1,
        stderr: "sbatch: error: Batch job submission failed: Invalid partition name specified\n"
      })
    });
    await expect(
      new SlurmClient(rej).submit({ scriptPath: "/x.sh", runId: "r", attempt: 1 })
    ).rejects.toMatchObject({
      code: "SLURM_REJECTED"
    });
  });

  it("puts the tag, exclusions and limits on the sbatch command line", async () => {
    const ex = new ReplayExecutor({ sbatch: () => ({ stdout: "123;testlumi\n" }) });
    const id = await new SlurmClient(ex).submit({
      scriptPath: "/runs/r1/attempt-2.sbatch",
      runId: "r1",
      attempt: 2,
      cwd: "/runs/r1",
      exclude: ["nid003", "nid001", "nid002"],
      dependency: "afterany:122",
      time: "1:00:00",
      timeMin: "30",
      extraArgs: ["--hold"]
    });
    expect(id).toBe("123");
    expect(ex.calls[0]).toEqual([
      "sbatch",
      "--parsable",
      "--job-name=neoxctl-r1",
      "--comment=neoxctl:run=r1;attempt=2",
      "--chdir=/runs/r1",
      "--exclude=nid[001-003]",
      "--dependency=afterany:122",
      "--time=1:00:00",
      "--time-min=30",
      "--hold",
      "--",
      "/runs/r1/attempt-2.sbatch"
    ]);
  });

  it("passes an option-looking script path after --, never as an option", () => {
    const argv = new SlurmClient(new ReplayExecutor({})).submitArgv({
      scriptPath: "--wrap=touch C",
      runId: "r1",
      attempt: 1
    });
    expect(argv.slice(-2)).toEqual(["--", "--wrap=touch C"]);
  });

  it("findSubmissions refuses to answer when sacct fails on a cluster with accounting (a finished job would look unsent)", async () => {
    const squeue = (): Partial<ExecResult> => ({ stdout: fx("squeue.json") });
    const failing = new ReplayExecutor({
      squeue,
      sacct: () => ({
        exitCode: 1,
        stderr: "sacct: error: Problem talking to the database: Connection refused"
      })
    });
    await expect(new SlurmClient(failing).findSubmissions("r1")).rejects.toMatchObject({
      code: "SLURM_UNAVAILABLE"
    });
    const disabled = new ReplayExecutor({
      squeue,
      sacct: () => ({
        exitCode: 1,
        stderr: "sacct: error: Slurm accounting storage is disabled"
      })
    });
    await expect(new SlurmClient(disabled).findSubmissions("r1")).resolves.toEqual([]);
  });
});

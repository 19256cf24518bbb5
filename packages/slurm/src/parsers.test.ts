import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSqueueJson } from "./parse-squeue.ts";
import { isAccountingDisabled, parseSacctText, SACCT_ARRAY_FIELDS } from "./parse-sacct.ts";
import { parseKeyValueLine, parseScontrolJobs } from "./parse-scontrol.ts";
import type { JobStatus } from "./job-status.ts";

// Captured from the local test cluster (test/cluster/up.sh), Slurm 22.05.8. Jobs:
// 1 completed (tagged), 2 exit 3, 3 2-node job requeued after nid002 was set DOWN,
// 4 held, 5 scancelled, 6 --no-requeue on nid003 set DOWN, 7 --time=1 timed out.
const fx = (name: string): string =>
  readFileSync(new URL(`./__fixtures__/22.05.8/${name}`, import.meta.url), "utf8");
const byId = (jobs: JobStatus[]): Map<string, JobStatus> => new Map(jobs.map((j) => [j.jobId, j]));

// the sacct fixture predates AccountingStoreFlags=job_comment, so it carries no comment tag
function expectCommon(j: Map<string, JobStatus>, tagged = true): void {
  expect(j.get("1")).toMatchObject({
    state: "COMPLETED",
    exitCode: 0,
    nodes: ["nid001"],
    tag: tagged ? { runId: "fx1", attempt: 1 } : null
  });
  expect(j.get("2")).toMatchObject({ state: "FAILED", exitCode: 3, signal: null });
  expect(j.get("5")).toMatchObject({ state: "CANCELLED", exitCode: null, signal: 15 });
  expect(j.get("6")).toMatchObject({ state: "NODE_FAIL", nodes: ["nid003"] });
  expect(j.get("7")).toMatchObject({ state: "TIMEOUT", nodes: ["nid004"] });
}

describe("squeue --json (22.05.8)", () => {
  const jobs = byId(parseSqueueJson(fx("squeue.json")));
  it("reads every state, exit status and node list", () => {
    expectCommon(jobs);
    expect(jobs.get("7")?.timeLimitMinutes).toBe(1);
    expect(jobs.get("1")?.timeLimitMinutes).toBeNull();
  });
  it("shows Slurm's own requeue with its count and reason", () => {
    expect(jobs.get("3")).toMatchObject({
      state: "PENDING",
      reason: "BeginTime",
      restarts: 1,
      nodes: [],
      startTime: null
    });
    expect(jobs.get("4")).toMatchObject({ state: "PENDING", reason: "JobHeldUser" });
  });
  it("treats an errors list (controller down, exit 0) as SLURM_UNAVAILABLE, not as no jobs", () => {
    const text = fx("unavailable-squeue.txt").replace(/exit=\d+\s*$/, "");
    expect(() => parseSqueueJson(text)).toThrow(expect.objectContaining({ code: "SLURM_UNAVAILABLE" }));
  });
  it("rejects non-JSON with SLURM_PARSE", () => {
    expect(() => parseSqueueJson("squeue: error: x")).toThrow(
      expect.objectContaining({ code: "SLURM_PARSE" })
    );
  });
  it("accepts the 23.02+ shapes (state arrays, number objects, exit objects)", () => {
    const doc = {
      errors: [],
      jobs: [
        {
          job_id: 42,
          name: "neoxctl-r",
          job_state: ["PENDING", "REQUEUED"],
          state_reason: "BeginTime",
          exit_code: { status: ["EXITED"], return_code: { set: true, infinite: false, number: 0 } },
          nodes: "",
          restart_cnt: 2,
          submit_time: { set: true, infinite: false, number: 1795974644 },
          time_limit: { set: true, infinite: false, number: 30 },
          comment: "neoxctl:run=r;attempt=2"
        },
        {
          job_id: 43,
          job_state: ["FAILED"],
          exit_code: {
            status: ["SIGNALED"],
            return_code: { set: false },
            signal: { id: { set: true, number: 9 }, name: "KILL" }
          },
          nodes: "nid[001-002]",
          time_limit: { set: false, infinite: true, number: 0 }
        }
      ]
    };
    const j = byId(parseSqueueJson(JSON.stringify(doc)));
    expect(j.get("42")).toMatchObject({
      state: "REQUEUED",
      restarts: 2,
      timeLimitMinutes: 30,
      tag: { runId: "r", attempt: 2 }
    });
    expect(j.get("42")?.submitTime).toBe(new Date(1795974644000).toISOString());
    expect(j.get("43")).toMatchObject({
      state: "FAILED",
      signal: 9,
      exitCode: null,
      nodes: ["nid001", "nid002"],
      timeLimitMinutes: null
    });
  });
});

describe("sacct -P (22.05.8)", () => {
  const list = parseSacctText(fx("sacct.txt"));
  const jobs = byId(list);
  it("reads every state, exit status and node list", () => {
    expectCommon(jobs, false);
    expect(jobs.get("5")?.cancelledBy).toBe("0");
    expect(jobs.get("7")?.timeLimitMinutes).toBe(1);
  });
  it("folds requeued attempts into one job and names the failed attempt's nodes", () => {
    expect(list.filter((j) => j.jobId === "3")).toHaveLength(1);
    expect(jobs.get("3")).toMatchObject({ state: "PENDING", restarts: 1, nodes: [] });
    expect(jobs.get("3")?.priorAttempts).toEqual([
      { state: "NODE_FAIL", nodes: ["nid001", "nid002"], endTime: expect.any(String) }
    ]);
  });
  it("keeps a comment containing the separator", () => {
    const [j] = parseSacctText(
      "9|n|RUNNING|0:0|0:0|nid001|Unknown|Unknown|Unknown|30|None|neoxctl:run=a;attempt=1|x|y\n"
    );
    expect(j?.comment).toBe("neoxctl:run=a;attempt=1|x|y");
    expect(j?.tag).toEqual({ runId: "a", attempt: 1 });
  });
  it("with JobID asked for (findSubmissions), tells an array's tasks by the array's id", () => {
    const fields = "|n|PENDING|0:0|0:0|None assigned|Unknown|Unknown|Unknown|30|None|";
    const [task, plain] = parseSacctText(
      `211${fields}209_1|neoxctl:run=a;attempt=0;nonce=ab12\n212${fields}212|neoxctl:run=a;attempt=1\n`,
      SACCT_ARRAY_FIELDS
    );
    expect(task).toMatchObject({
      jobId: "211",
      arrayJobId: "209",
      tag: { runId: "a", attempt: 0, nonce: "ab12" }
    });
    expect(plain?.jobId).toBe("212");
    expect(plain).not.toHaveProperty("arrayJobId");
  });

  it("reads a --no-kill job that lost a node as one run, not a requeue (recorded on the test cluster)", () => {
    // slurmctld closes the record as RESIZING when the node goes and opens one for the rest, same id
    const [j, ...more] = parseSacctText(fx("sacct-no-kill-resized.txt"));
    expect(more).toEqual([]);
    expect(j).toMatchObject({
      jobId: "48",
      state: "COMPLETED",
      restarts: 0,
      priorAttempts: [],
      nodes: ["nid001", "nid003"],
      startTime: "2026-12-06T11:25:30.000Z",
      endTime: "2026-12-06T11:27:00.000Z",
      tag: { runId: "spare-manual", attempt: 1 }
    });
  });
  it("recognises the no-accounting answer", () => {
    expect(isAccountingDisabled("Slurm accounting storage is disabled\n")).toBe(true);
    expect(isAccountingDisabled("")).toBe(false);
  });
});

describe("scontrol -o show job (22.05.8)", () => {
  const jobs = byId(parseScontrolJobs(fx("scontrol-show-job.txt")));
  it("reads every state, exit status and node list", () => {
    expectCommon(jobs);
    expect(jobs.get("3")).toMatchObject({ state: "PENDING", reason: "BeginTime", restarts: 1, nodes: [] });
  });
  it("splits key=value pairs whose values hold spaces", () => {
    const kv = parseKeyValueLine(
      "JobId=5 Command=/tmp/a b.sh 1 Comment=neoxctl:run=x;attempt=2 WorkDir=/tmp"
    );
    expect(kv.get("Command")).toBe("/tmp/a b.sh 1");
    expect(kv.get("Comment")).toBe("neoxctl:run=x;attempt=2");
  });
});

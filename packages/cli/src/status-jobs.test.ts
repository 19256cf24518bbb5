import { describe, expect, it } from "vitest";
import type { RecordedJob } from "./job-agreement.ts";
import { live } from "./live-job.test-support.ts";
import { formatJobsReport, jobsReport } from "./status-jobs.ts";
import type { JobRow } from "./status-attempts.ts";

const running: RecordedJob = { phase: "running", endState: null, cancelRequested: false };
const ended = (endState: string, cancelRequested = false): RecordedJob => ({
  phase: "ended",
  endState,
  cancelRequested
});

describe("status --jobs report", () => {
  const rows: JobRow[] = [
    {
      jobId: "11",
      attempt: 1,
      state: "CANCELLED (cancel requested)",
      recorded: ended("CANCELLED", true),
      submittedAt: "t1",
      endedAt: "t2"
    },
    { jobId: "12", attempt: 2, state: "running", recorded: running, submittedAt: "t3", endedAt: null }
  ];

  it("shows both states and counts disagreements when Slurm answered", () => {
    const r = jobsReport({ id: "r", cluster: "c" }, rows, {
      state: "checked",
      via: "local",
      at: "now",
      lookup: {
        statuses: new Map([
          ["11", live("11", "RUNNING")],
          ["12", live("12", "RUNNING")]
        ]),
        missing: [],
        accounting: "unknown",
        commands: ["squeue --json"]
      }
    });
    expect(r.source).toBe("slurm");
    expect(r.disagreements).toBe(1);
    expect(r.jobs.map((j) => [j.jobId, j.slurm?.state, j.agreement])).toEqual([
      ["11", "RUNNING", "disagree"],
      ["12", "RUNNING", "agree"]
    ]);
    const text = formatJobsReport(r).join("\n");
    expect(text).toContain("live from Slurm (squeue --json via local, at now");
    expect(text).toMatch(/11 +1 +RUNNING +CANCELLED \(cancel requested\) +DISAGREE/);
    expect(text).toContain("1 job(s) where Slurm and the records disagree");
  });

  it("falls back to the records, labelled, when Slurm cannot be reached", () => {
    const r = jobsReport({ id: "r", cluster: "c" }, rows, {
      state: "unreachable",
      via: "ssh login.example:22",
      error: "EXEC_CONNECT: connection refused",
      at: "now"
    });
    expect(r.source).toBe("records");
    expect(r.jobs.every((j) => j.agreement === "not_checked" && j.slurm === null)).toBe(true);
    const text = formatJobsReport(r);
    expect(text[0]).toBe("SLURM UNREACHABLE via ssh login.example:22: EXEC_CONNECT: connection refused");
    expect(text[1]).toContain("RECORDS ONLY");
    expect(text.join("\n")).not.toContain("DISAGREE");
  });
});

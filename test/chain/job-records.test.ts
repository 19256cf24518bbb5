import { describe, expect, it } from "vitest";
import type { JobStatus } from "@neoxctl/slurm";
import { mergeJobRecord } from "./job-records.ts";

const job = (over: Partial<JobStatus>): JobStatus => ({
  jobId: "413", name: "neoxctl-chain-x", state: "CANCELLED", rawState: "CANCELLED", reason: null, exitCode: null, signal: 15,
  nodes: [], restarts: 0, submitTime: "2026-11-29T18:22:19.000Z", startTime: null, endTime: "2026-11-29T18:23:24.000Z",
  timeLimitMinutes: 1, comment: null, tag: { runId: "chain-x", attempt: 2 }, cancelledBy: "0", source: "sacct", ...over
});

// records as Slurm 22.05 gave them after the no-accounting test restarted slurmctld mid-run
describe("mergeJobRecord (sacct completed by the controller's record)", () => {
  it("a job that started while accounting was off counts as started, and is reported as a gap", () => {
    const m = mergeJobRecord({
      jobId: "413",
      sacct: job({ reason: "Dependency" }),
      controller: job({ source: "scontrol", nodes: ["nid001", "nid002"], startTime: "2026-11-29T18:23:05.000Z" })
    });
    expect(m?.gap).toBe(true);
    expect(m?.job.startTime).toBe("2026-11-29T18:23:05.000Z");
    expect(m?.job.nodes).toEqual(["nid001", "nid002"]);
  });

  it("a job cancelled while pending never started, although scontrol shows StartTime = its cancel time", () => {
    const pendingCancel = job({ source: "scontrol", reason: "DependencyNeverSatisfied", startTime: "2026-11-29T18:23:25.000Z" });
    expect(mergeJobRecord({ jobId: "420", sacct: job({ reason: "Dependency" }), controller: pendingCancel })).toEqual({ job: job({ reason: "Dependency" }), gap: false });
    expect(mergeJobRecord({ jobId: "420", sacct: null, controller: pendingCancel })?.job.startTime).toBeNull();
  });

  it("sacct's record stands when it has the start; a job neither source knows is null", () => {
    const s = job({ state: "COMPLETED", rawState: "COMPLETED", startTime: "2026-11-29T18:22:15.000Z", nodes: ["nid001"] });
    expect(mergeJobRecord({ jobId: "412", sacct: s, controller: null })).toEqual({ job: s, gap: false });
    expect(mergeJobRecord({ jobId: "1", sacct: null, controller: null })).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import type { JobStatus } from "@neoxctl/slurm";
import { mergeJobRecord } from "./job-records.ts";
import type { JobInstance } from "./job-records.ts";

const job = (over: Partial<JobStatus>): JobStatus => ({
  jobId: "413",
  name: "neoxctl-chain-x",
  state: "CANCELLED",
  rawState: "CANCELLED",
  reason: null,
  exitCode: null,
  signal: 15,
  nodes: [],
  restarts: 0,
  submitTime: "2026-11-29T18:22:19.000Z",
  startTime: null,
  endTime: "2026-11-29T18:23:24.000Z",
  timeLimitMinutes: 1,
  comment: null,
  tag: { runId: "chain-x", attempt: 2 },
  cancelledBy: "0",
  source: "sacct",
  ...over
});
const inst = (
  state: string,
  submit: string,
  start: string | null,
  end: string,
  allocated: boolean
): JobInstance => ({
  state,
  submitTime: `2026-11-29T${submit}.000Z`,
  startTime: start ? `2026-11-29T${start}.000Z` : null,
  endTime: `2026-11-29T${end}.000Z`,
  allocated
});

// records as Slurm 22.05 gave them in failed runs of test/chain
describe("mergeJobRecord (one record per job from sacct instances and the controller)", () => {
  it("a job that started while accounting was off counts as started, and is reported as a gap", () => {
    const m = mergeJobRecord({
      jobId: "413",
      sacct: job({ reason: "Dependency" }),
      instances: [inst("CANCELLED", "18:22:19", null, "18:23:24", false)],
      controller: job({
        source: "scontrol",
        nodes: ["nid001", "nid002"],
        startTime: "2026-11-29T18:23:05.000Z"
      })
    });
    expect(m?.gap).toBe(true);
    expect(m?.job.startTime).toBe("2026-11-29T18:23:05.000Z");
    expect(m?.job.nodes).toEqual(["nid001", "nid002"]);
  });

  it("a job cancelled while pending never started, although scontrol shows StartTime = its cancel time", () => {
    const pendingCancel = job({
      jobId: "420",
      source: "scontrol",
      reason: "DependencyNeverSatisfied",
      startTime: "2026-11-29T18:23:25.000Z"
    });
    const m = mergeJobRecord({
      jobId: "420",
      sacct: job({ jobId: "420" }),
      instances: [inst("CANCELLED", "18:23:10", null, "18:23:25", false)],
      controller: pendingCancel
    });
    expect(m).toMatchObject({ gap: false, job: { startTime: null } });
    expect(
      mergeJobRecord({ jobId: "420", sacct: null, instances: [], controller: pendingCancel })?.job.startTime
    ).toBeNull();
  });

  it("a requeued job: submitted and started as its first instance, ended as its last", () => {
    // 1636: NODE_FAIL (a node set DOWN), requeued at 19:22:20, cancelled while pending (sacct then shows Start = End)
    const m = mergeJobRecord({
      jobId: "1636",
      sacct: job({
        jobId: "1636",
        submitTime: "2026-11-29T19:22:20.000Z",
        endTime: "2026-11-29T19:22:21.000Z"
      }),
      instances: [
        inst("NODE_FAIL", "19:21:30", "19:22:08", "19:22:19", true),
        inst("CANCELLED", "19:22:20", "19:22:21", "19:22:21", false)
      ],
      controller: null
    });
    expect(m).toMatchObject({
      gap: false,
      job: {
        submitTime: "2026-11-29T19:21:30.000Z",
        startTime: "2026-11-29T19:22:08.000Z",
        endTime: "2026-11-29T19:22:21.000Z"
      }
    });
  });

  it("a requeued instance that was never allocated does not make a job started; no record at all is null", () => {
    const m = mergeJobRecord({
      jobId: "1",
      sacct: job({ startTime: "2026-11-29T19:22:34.000Z" }),
      instances: [inst("CANCELLED", "19:22:33", "19:22:34", "19:22:34", false)],
      controller: null
    });
    expect(m?.job.startTime).toBeNull();
    expect(mergeJobRecord({ jobId: "1", sacct: null, instances: [], controller: null })).toBeNull();
  });
});

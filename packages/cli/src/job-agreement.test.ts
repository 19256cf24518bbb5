import { describe, expect, it } from "vitest";
import { compareJob } from "./job-agreement.ts";
import type { RecordedJob } from "./job-agreement.ts";
import { live } from "./live-job.test-support.ts";

const queued: RecordedJob = { phase: "queued", endState: null, cancelRequested: false };
const running: RecordedJob = { phase: "running", endState: null, cancelRequested: false };
const ended = (endState: string, cancelRequested = false): RecordedJob => ({
  phase: "ended",
  endState,
  cancelRequested
});

describe("Slurm's live state against the record", () => {
  it("agrees when both say the same", () => {
    expect(compareJob(queued, live("1", "PENDING")).agreement).toBe("agree");
    expect(compareJob(queued, live("1", "REQUEUE_HOLD")).agreement).toBe("agree");
    expect(compareJob(running, live("1", "RUNNING")).agreement).toBe("agree");
    expect(compareJob(ended("NODE_FAIL"), live("1", "NODE_FAIL")).agreement).toBe("agree");
    expect(
      compareJob({ phase: "continuation", endState: null, cancelRequested: false }, live("1", "PENDING"))
        .agreement
    ).toBe("agree");
  });

  it("flags a job the record ended (a cancel) that Slurm still runs, holding nodes", () => {
    const v = compareJob(ended("CANCELLED", true), live("1", "RUNNING"));
    expect(v.agreement).toBe("disagree");
    expect(v.note).toBe(
      "Slurm still has it RUNNING, holding nodes; the record says it ended CANCELLED after a cancel"
    );
  });

  it("flags a stale record: running or queued there, ended in Slurm", () => {
    expect(compareJob(running, live("1", "COMPLETED"))).toEqual({
      agreement: "disagree",
      note: "Slurm says it ended COMPLETED; the record has it running"
    });
    expect(compareJob(queued, live("1", "RUNNING")).agreement).toBe("disagree");
    expect(compareJob(running, live("1", "PENDING")).agreement).toBe("disagree");
    expect(compareJob(ended("TIMEOUT"), live("1", "NODE_FAIL")).agreement).toBe("disagree");
  });

  it("a live job Slurm does not know disagrees; an ended one Slurm forgot cannot be compared", () => {
    expect(compareJob(running, undefined).agreement).toBe("disagree");
    expect(compareJob(ended("COMPLETED"), undefined).agreement).toBe("unknown");
    expect(compareJob(running, live("1", "UNKNOWN", "WEIRD_NEW")).agreement).toBe("unknown");
  });
});

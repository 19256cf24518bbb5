import { describe, expect, it } from "vitest";
import { JOB_STATES } from "@neoxctl/slurm";
import { fold } from "./slurm-client.ts";
import { jobAlive } from "../worker/job-liveness.ts";

describe("fold", () => {
  it("maps every Slurm state, and never calls a requeued or unknown job dead", () => {
    for (const s of JOB_STATES) expect(typeof fold(s)).toBe("string");
    for (const s of [
      "REQUEUED",
      "REQUEUE_HOLD",
      "REQUEUE_FED",
      "SPECIAL_EXIT",
      "UNKNOWN",
      "SUSPENDED",
      "CONFIGURING"
    ] as const)
      expect(jobAlive(fold(s))).toBe(true);
    for (const s of [
      "COMPLETED",
      "FAILED",
      "NODE_FAIL",
      "TIMEOUT",
      "PREEMPTED",
      "CANCELLED",
      "OUT_OF_MEMORY",
      "BOOT_FAIL"
    ] as const)
      expect(jobAlive(fold(s))).toBe(false);
    expect(fold("BOOT_FAIL")).toBe("NODE_FAIL");
    expect(fold("DEADLINE")).toBe("TIMEOUT");
  });
});

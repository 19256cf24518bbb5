import { describe, expect, it } from "vitest";
import { JOB_STATES } from "@neoxctl/slurm";
import type { SlurmClient } from "@neoxctl/slurm";
import { fold, SlurmAdapter } from "./slurm-client.ts";
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

describe("SlurmAdapter.findSubmissions", () => {
  it("counts an array once, under the id sbatch printed, whatever its tasks' own ids", async () => {
    const tagged = (jobId: string, attempt: number, nonce: string, arrayJobId?: string): unknown => ({
      jobId,
      tag: { runId: "r", attempt, nonce },
      ...(arrayJobId ? { arrayJobId } : {})
    });
    // the listing Slurm gives while an array runs: its tasks with raw ids, the array's own among them
    const client = {
      findSubmissions: async () => [
        tagged("209", 0, "aa", "209"),
        tagged("210", 0, "aa", "209"),
        tagged("211", 0, "aa", "209"),
        tagged("212", 0, "bb"),
        tagged("213", 1, "cc")
      ]
    } as unknown as SlurmClient;
    expect(await new SlurmAdapter(client).findSubmissions("r")).toEqual([
      { jobId: "209", attempt: 0, nonce: "aa" },
      { jobId: "212", attempt: 0, nonce: "bb" },
      { jobId: "213", attempt: 1, nonce: "cc" }
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { faultRunner, recoveries, settled } from "./fault-run.ts";

/**
 * The supervisor reads why a job failed from its output (issue 17): the emulator prints each
 * class's real lines at FAULT_AT, once per run, and the run must take the decision for that class.
 * Short runs: 30 steps at 20 ms, a checkpoint every 10.
 */
const runWith = faultRunner();

describe("failure classes from the job's output, on the local Slurm cluster", () => {
  it("an out-of-memory stops in needs_attention with the allocator's line, without a retry", async () => {
    const { run, events, log } = await runWith("fc-oom", "NEOX_EMU_OOM_AT", settled);
    expect(run.state, log.join("\n")).toBe("needs_attention");
    expect(run.attempts).toBe(1);
    const last = events.at(-1)!;
    expect(last.cause).toMatch(/ran out of memory.*not retrying/);
    expect(last.evidence.logLines?.join("\n")).toContain("torch.OutOfMemoryError: HIP out of memory");
    // ... and the plan's memory figures beside them: the model state each GCD holds before activations
    expect(last.cause).toMatch(/the plan puts [\d.]+ GiB of model state/);
    expect(last.evidence.detail).toMatchObject({ planMemory: { zeroStage: 1 } });
  }, 300_000);

  it("a collective watchdog timeout is a hang naming the rank, and the run resumes to the end", async () => {
    const { run, events, log } = await runWith("fc-timeout", "NEOX_EMU_COLLECTIVE_TIMEOUT_AT", settled);
    expect(run.state, log.join("\n")).toBe("completed");
    expect(run.attempts).toBe(2);
    const [rec] = recoveries(events);
    expect(rec?.type).toBe("recover_hang");
    expect(rec?.cause).toMatch(
      /rank 0 timed out in ALLREDUCE #120 after 600051 ms \(collective watchdog\): hang/
    );
    expect(rec?.evidence.detail).toMatchObject({ collectiveTimeout: { rank: 0, op: "ALLREDUCE", seq: 120 } });
    expect(rec?.evidence.logLines?.join("\n")).toContain("Watchdog caught collective operation timeout");
    expect(run.budgetsUsed.hang).toBe(1);
  }, 300_000);

  it.each([
    ["fc-gpu-fault", "NEOX_EMU_GPU_FAULT_AT", "Memory access fault by GPU"],
    ["fc-rccl", "NEOX_EMU_RCCL_ERROR_AT", "transport/net_ib.cc:1295 NCCL WARN"]
  ])(
    "%s: the node the lines name is blamed and excluded, and the run resumes elsewhere",
    async (name, knob, line) => {
      const { run, events, store, log } = await runWith(name, knob, settled);
      expect(run.state, log.join("\n")).toBe("completed");
      expect(run.attempts).toBe(2);
      const [rec] = recoveries(events);
      expect(rec?.type).toBe("recover_node");
      const first = await store.getAttempt(run.id, 1);
      const second = await store.getAttempt(run.id, 2);
      // the emulator's host is rank 0's node, the first of attempt 1's allocation
      const node = first!.nodes![0]!;
      expect(rec?.evidence.nodes).toEqual([node]);
      expect(rec?.evidence.logLines?.join("\n")).toContain(line);
      expect(second!.params.excludeNodes).toContain(node);
      expect(run.budgetsUsed.node).toBe(1);
    },
    300_000
  );
});

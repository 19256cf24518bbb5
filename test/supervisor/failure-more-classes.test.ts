import { describe, expect, it } from "vitest";
import { faultRunner, recoveries } from "./fault-run.ts";

/**
 * The failure classes failure-classes.test.ts leaves out (issue 17): a Python traceback from deep
 * in NeoX/DeepSpeed, a Slurm step failure naming a node, and a HIP runtime error on a host. The
 * emulator prints each class's lines at FAULT_AT, once per run; 30 steps at 20 ms, a checkpoint
 * every 10.
 */
const runWith = faultRunner();

describe("more failure classes from the job's output, on the local Slurm cluster", () => {
  it("a Python traceback is an application retry naming the exception and the innermost DeepSpeed frame", async () => {
    const { run, events, log } = await runWith("fc-pyerr", "NEOX_EMU_PY_ERROR_AT");
    expect(run.state, log.join("\n")).toBe("completed");
    expect(run.attempts).toBe(2);
    const [rec, ...more] = recoveries(events);
    expect(more).toHaveLength(0);
    expect(rec?.type).toBe("recover_app");
    // the torch frame below it is not the trainer's: the DeepSpeed pipe engine is the innermost one named
    expect(rec?.cause).toMatch(
      /RuntimeError in \/opt\/venv\/lib\/python3\.10\/site-packages\/deepspeed\/runtime\/pipe\/engine\.py:1420 in _exec_schedule: application error, retry 1\//
    );
    expect(rec?.evidence.nodes ?? []).toEqual([]);
    expect(run.budgetsUsed.app).toBe(1);
    expect(run.budgetsUsed.node).toBe(0);
  }, 300_000);

  it.each([
    ["fc-step-node", "NEOX_EMU_STEP_NODE_FAIL_AT", "srun: error: Node failure on"],
    ["fc-hip", "NEOX_EMU_HIP_ERROR_AT", "RuntimeError: HIP error: an illegal memory access was encountered"]
  ])(
    "%s: the node the line names is blamed (a strike), and the run resumes without it",
    async (name, knob, line) => {
      const { run, events, store, log } = await runWith(name, knob);
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
      expect(second!.nodes).not.toContain(node);
      expect((await store.badNodes(run.id, Date.now())).map((b) => b.node)).toContain(node);
      expect(run.budgetsUsed.node).toBe(1);
    },
    300_000
  );
});

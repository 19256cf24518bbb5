import { describe, expect, it } from "vitest";
import { observeCanaryLog } from "./smoke-observe.ts";

const JOB = { id: "9", state: "COMPLETED", exitCode: 0, nodes: ["nid001", "nid002"], reason: null };
const SAVE = "/s/ckpt-canary/r/checkpoints";

function train(it: number, ms: number): string {
  return ` samples/sec: 10.663 | iteration        ${it}/       4 | elapsed time per iteration (ms): ${ms.toFixed(1)} | learning rate: 9.051E-05 | approx flops per GPU: 77.9TFLOPS | lm_loss: 1.074500E+00 | number of skipped iterations:   0 | number of nan iterations:   0 |`;
}

describe("observeCanaryLog", () => {
  it("splits the two phases at the marker: steps, the save, the load", () => {
    const log = [
      "neoxctl-preflight: OK",
      "  successfully loaded /init/0/mp_rank_00_model_states.pt",
      train(1, 9000),
      train(2, 3000),
      train(3, 3100),
      "[2026-12-06 08:27:03,690] [INFO] [torch_checkpoint_engine.py:33:commit] [Torch] Checkpoint global_step3 is ready now!",
      "neoxctl-smoke: phase 2: load global_step3, train step 4",
      "neoxctl-preflight: OK",
      `  successfully loaded ${SAVE}/global_step3/mp_rank_00_model_states.pt`,
      train(4, 3000),
      "[2026-12-06 08:27:13,118] [INFO] [torch_checkpoint_engine.py:33:commit] [Torch] Checkpoint global_step4 is ready now!"
    ].join("\n");
    const o = observeCanaryLog(log, JOB);
    expect(o.phase1Steps).toEqual([
      { step: 1, ms: 9000 },
      { step: 2, ms: 3000 },
      { step: 3, ms: 3100 }
    ]);
    expect(o.savedTag).toBe("global_step3");
    expect(o.phase2Started).toBe(true);
    expect(o.phase2LoadedPath).toBe(`${SAVE}/global_step3/mp_rank_00_model_states.pt`);
    expect(o.phase2Steps).toEqual([4]);
    expect(o.preflightFailure).toBeNull();
    expect(o.rccl.transport).toBeNull();
  });

  it("keeps the pre-flight's FAIL line and the first errors", () => {
    expect(observeCanaryLog("neoxctl-preflight: FAIL data: /d/x.bin\n", JOB).preflightFailure).toBe(
      "neoxctl-preflight: FAIL data: /d/x.bin"
    );
    const o = observeCanaryLog(
      [
        "training ...",
        "[rank3]: RuntimeError: NCCL communicator was aborted on rank 3.",
        "srun: error: nid002: task 3: Exited with exit code 1"
      ].join("\n"),
      JOB
    );
    expect(o.errors[0]).toBe("[rank3]: RuntimeError: NCCL communicator was aborted on rank 3.");
    expect(o.phase1Steps).toEqual([]);
  });
});

import type { Printer } from "../output/printer.ts";
import type { FaultLedger, FaultPlan } from "./faults.ts";

/**
 * More failures that end the process with the lines a real job prints (issue 17): a Python
 * exception raised deep in NeoX/DeepSpeed, a Slurm step failure naming a node, and a HIP runtime
 * error. Kept apart from failure-output.ts so each file stays one family of lines.
 */
export type AppFailureKind = "py_error" | "step_node_fail" | "hip_error";

const KINDS: readonly AppFailureKind[] = ["py_error", "step_node_fail", "hip_error"];

/** the failure of this family planned for `step` that has not fired yet (claimed now), or null */
export function appFailureAt(plan: FaultPlan, step: number, ledger: FaultLedger): AppFailureKind | null {
  for (const k of KINDS) if (plan[k]?.step === step && ledger.claim(k, step)) return k;
  return null;
}

export function printAppFailure(kind: AppFailureKind, w: { host: string; print: Printer }): void {
  const { host: h, print } = w;
  switch (kind) {
    case "py_error":
      // The frame chain of a NeoX pipeline-engine traceback as CPython prints it (train.py → pretrain →
      // train → train_step → train_step_pipe → DeepSpeed's pipe engine; EleutherAI/gpt-neox issue
      // #1306), ending in a torch frame below the innermost DeepSpeed one and an application error.
      print.err("Traceback (most recent call last):");
      print.err('  File "/gpt-neox/train.py", line 35, in <module>');
      print.err("    main()");
      print.err('  File "/gpt-neox/megatron/training.py", line 296, in pretrain');
      print.err("    iteration = train(");
      print.err('  File "/gpt-neox/megatron/training.py", line 1277, in train_step');
      print.err("    reduced_loss = train_step_pipe(");
      print.err('  File "/gpt-neox/megatron/training.py", line 1374, in train_step_pipe');
      print.err("    loss = model.train_batch(data_iter=data_iterator)");
      print.err(
        '  File "/opt/venv/lib/python3.10/site-packages/deepspeed/runtime/pipe/engine.py", line 1420, in _exec_schedule'
      );
      print.err("    self._exec_instr(**cmd.kwargs)");
      print.err(
        '  File "/opt/venv/lib/python3.10/site-packages/torch/nn/modules/module.py", line 1518, in _wrapped_call_impl'
      );
      print.err("    return self._call_impl(*args, **kwargs)");
      print.err("RuntimeError: shape '[4, 2048, 32, 128]' is invalid for input of size 16777216");
      return;
    case "step_node_fail":
      // srun's own words when a node of the step stops answering (SchedMD/slurm, "Node failure on %s");
      // the emulator stands in for srun here, writing the line where srun's stderr goes
      print.err(`srun: error: Node failure on ${h}`);
      return;
    case "hip_error":
      // PyTorch's HIP runtime error, with the `host: ` label a pdsh-style launcher puts in front
      print.err(`${h}: RuntimeError: HIP error: an illegal memory access was encountered`);
      print.err(
        `${h}: HIP kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.`
      );
      return;
  }
}

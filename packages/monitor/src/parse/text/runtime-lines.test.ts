import { describe, expect, it } from "vitest";
import { parseLine } from "./parse-line.ts";

describe("runtime lines", () => {
  it.each([
    [
      "time (ms) | forward: 5123.45 | backward: 11234.56 | optimizer: 812.34 | batch generator: 12.34",
      {
        kind: "timers",
        timersMs: { forward: 5123.45, backward: 11234.56, optimizer: 812.34, "batch generator": 12.34 }
      }
    ],
    ["time (ms)", { kind: "timers", timersMs: {} }],
    [
      " validation results at iteration 1000 | lm_loss value: 2.123456E+00 | lm_loss_ppl value: 8.359980E+00 | ",
      { kind: "eval", format: "neox", step: 1000, losses: { lm_loss: 2.123456, lm_loss_ppl: 8.35998 } }
    ],
    [
      " validation loss at iteration 500 | lm loss value: 3.0E+00 | lm loss PPL: 2.0E+01 | ",
      { kind: "eval", format: "megatron", step: 500, losses: { "lm loss": 3, "lm loss PPL": 20 } }
    ],
    [
      " validation results at the end of training for val data | lm_loss value: 8.0E+00 | lm_loss_ppl value: 3.0E+03 | ",
      { kind: "eval", format: "neox", step: null, losses: { lm_loss: 8, lm_loss_ppl: 3000 } }
    ],
    ["Loading checkpoint and starting from iteration 2000", { kind: "checkpoint_load_start", step: 2000 }],
    ["Unable to load checkpoint.", { kind: "checkpoint_missing", step: null }],
    [
      "ValueError: Unable to load checkpoint for iteration 300. Available iterations: [100, 200]",
      { kind: "checkpoint_missing", step: 300 }
    ],
    [
      "  successfully loaded /scratch/ckpt/global_step2000/mp_rank_00_model_states.pt",
      { kind: "checkpoint_loaded", path: "/scratch/ckpt/global_step2000/mp_rank_00_model_states.pt" }
    ],
    [
      "[2024-01-01 10:00:00,000] [INFO] [torch_checkpoint_engine.py:33:commit] [Torch] Checkpoint global_step2000 is ready now!",
      { kind: "checkpoint_saved", tag: "global_step2000", step: 2000 }
    ],
    [
      "[2024-01-01 10:00:00,000] [INFO] [logging.py:96:log_dist] [Rank 0] Saving model checkpoint: /ck/global_step2000/mp_rank_00_model_states.pt",
      { kind: "checkpoint_saving", step: 2000, path: "/ck/global_step2000/mp_rank_00_model_states.pt" }
    ],
    ["saving checkpoint at iteration    3000 to /ck", { kind: "checkpoint_saving", step: 3000, path: "/ck" }],
    [
      "  successfully saved checkpoint at iteration    3000 to /ck",
      { kind: "checkpoint_saved", step: 3000, tag: "global_step3000" }
    ],
    [
      "rank: 0 | time: 2024-01-01 10:00:00 | exiting the program at iteration 5000",
      { kind: "exit_interval", step: 5000 }
    ],
    ["setting training data start iteration to 2000", { kind: "data_start", step: 2000 }],
    [" > overriding learning rate value to 0.0001", { kind: "lr_override", source: "config", lr: 0.0001 }],
    [
      " > using checkpoint value 0.0003 for learning rate",
      { kind: "lr_override", source: "checkpoint", lr: 0.0003 }
    ],
    ["training ...", { kind: "training_start" }],
    [
      "[2024-01-01 10:00:00,000] [INFO] [logging.py:96:log_dist] [Rank 0] step=100, skipped=3, lr=[0.0001], mom=[(0.9, 0.95)]",
      { kind: "deepspeed_step", step: 100, skipped: 3 }
    ],
    [
      "[2022-01-19 13:09:13,305] [INFO] [stage_1_and_2.py:1644:step] [deepscale] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1048576.0, reducing to 524288.0",
      { kind: "overflow", lossScale: 524288 }
    ]
  ])("%s", (line, expected) => {
    expect(parseLine(line)).toEqual(expected);
  });
});

describe("bad-node lines", () => {
  it.each([
    [
      "nid005123:12345:12399 [3] NCCL WARN NET/OFI Request error",
      { kind: "node_error", source: "nccl", node: "nid005123", gpu: 3 }
    ],
    [
      "nid005123:12345:12399 [3] RCCL WARN Call to ibv_reg_mr failed",
      { kind: "node_error", source: "nccl", node: "nid005123", gpu: 3 }
    ],
    [
      "Memory access fault by GPU node-9 (Agent handle: 0x5558) on address 0x7f00. Reason: Page not present or supervisor privilege.",
      { kind: "node_error", source: "gpu_fault", node: null, gpu: 9 }
    ],
    [
      "nid007001: Memory access fault by GPU node-4 (Agent handle: 0x1) on address 0x2. Reason: Unknown.",
      { kind: "node_error", source: "gpu_fault", node: "nid007001", gpu: 4 }
    ],
    [
      "RuntimeError: HIP error: an illegal memory access was encountered",
      { kind: "node_error", source: "hip", node: null }
    ],
    [
      "torch.distributed.DistBackendError: RCCL error in: ProcessGroupNCCL.cpp:1269, unhandled system error",
      { kind: "node_error", source: "nccl", node: null }
    ],
    [
      "nid005124: Cassini Event Queue overflow detected",
      { kind: "node_error", source: "cxi", node: "nid005124" }
    ],
    [
      "srun: error: Node failure on nid005125",
      { kind: "node_error", source: "srun_node_failure", node: "nid005125" }
    ]
  ])("%s", (line, expected) => {
    expect(parseLine(line)).toMatchObject(expected);
  });

  it("reads srun task exits", () => {
    expect(parseLine("srun: error: nid001234: task 3: Exited with exit code 1")).toEqual({
      kind: "task_exit",
      node: "nid001234",
      task: 3,
      exitCode: 1
    });
  });

  it("does not treat NCCL INFO chatter as an error", () => {
    expect(parseLine("nid005123:12345:12399 [3] NCCL INFO Channel 00/32 : 0 1 2 3")).toBeNull();
  });
});

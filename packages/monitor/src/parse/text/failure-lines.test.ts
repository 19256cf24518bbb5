import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR } from "../../__fixtures__/paths.ts";
import { parseLine } from "./parse-line.ts";

/** the lines of one fixture file (sources in __fixtures__/failures/README.md) */
const lines = (name: string): string[] =>
  readFileSync(join(FIXTURES_DIR, "failures", name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");

describe("NCCL/RCCL errors, with or without a source location (issue 17)", () => {
  it.each([
    [0, "kp-ddp-worker-0", 4, "10.216.210.236<54862>"],
    [1, "H100-2", 1, "fe80::966d:ae03:8b:df78%ib0<53249>"],
    [2, "job-3bb823c0-worker-0", 2, null],
    [3, "UVOSLinux", 0, null],
    [4, "nid005123", 3, null]
  ] as const)("line %i names host %s, device %i, peer %s", (i, node, gpu, peer) => {
    expect(parseLine(lines("nccl.txt")[i]!)).toMatchObject({
      kind: "node_error",
      source: "nccl",
      node,
      gpu,
      peer
    });
  });

  it("INFO lines with a source location are not errors", () => {
    expect(parseLine("kp-ddp-worker-0:3468:3905 [4] NCCL INFO transport/net.cc:1302 -> 6")).toBeNull();
  });
});

describe("PyTorch's collective watchdog", () => {
  it.each([
    [0, 4, "_REDUCE_SCATTER_BASE", 7753, 600099],
    [1, 1, "ALLREDUCE", 808, 600020],
    [2, 3, "ALLREDUCE", 469508, 1802211]
  ] as const)("line %i: rank %i, %s, seq %i, %i ms", (i, rank, op, seq, ms) => {
    expect(parseLine(lines("watchdog.txt")[i]!)).toMatchObject({
      kind: "collective_timeout",
      rank,
      op,
      seq,
      ms
    });
  });
});

describe("HIP/ROCm errors", () => {
  it("reads the fault, the runtime errors and the driver's page fault as GPU/HIP node errors", () => {
    expect(lines("hip.txt").map((l) => parseLine(l))).toMatchObject([
      { kind: "node_error", source: "gpu_fault", gpu: 2, node: null },
      { kind: "node_error", source: "hip" },
      { kind: "node_error", source: "hip" },
      { kind: "node_error", source: "gpu_fault" }
    ]);
  });

  it("takes the host from a pdsh/srun label in front of a HIP line", () => {
    expect(parseLine(`nid007001: ${lines("hip.txt")[0]!}`)).toMatchObject({ node: "nid007001" });
  });
});

describe("out of memory", () => {
  it("reads the allocator, srun, slurmstepd and kernel lines, and no node error", () => {
    expect(lines("oom.txt").map((l) => parseLine(l))).toMatchObject([
      { kind: "out_of_memory", source: "gpu", node: null },
      { kind: "out_of_memory", source: "srun", node: "nid001277" },
      { kind: "out_of_memory", source: "slurmstepd" },
      { kind: "out_of_memory", source: "slurmstepd" },
      { kind: "out_of_memory", source: "kernel" }
    ]);
  });

  it("hipErrorOutOfMemory is an out-of-memory, not a HIP node error", () => {
    expect(parseLine("RuntimeError: HIP error: hipErrorOutOfMemory")).toMatchObject({
      kind: "out_of_memory"
    });
  });
});

describe("Slurm step failures naming a node", () => {
  it("reads the node srun names", () => {
    expect(lines("slurm.txt").map((l) => parseLine(l))).toMatchObject([
      { kind: "node_error", source: "srun_node_failure", node: "nid005125" },
      { kind: "node_error", source: "srun_node_failure", node: "nid002" }
    ]);
  });
});

describe("Python tracebacks", () => {
  it("gives the trainer's frames (not library frames) and the closing line", () => {
    const evs = lines("traceback.txt")
      .map((l) => parseLine(l))
      .filter((e) => e !== null);
    expect(evs).toMatchObject([
      { kind: "traceback_frame", file: "/gpt-neox/train.py", line: 34, func: "<module>" },
      { kind: "traceback_frame", file: "/gpt-neox/megatron/training.py", line: 1017, func: "train_step" },
      { kind: "python_exception", type: "torch.distributed.DistBackendError" }
    ]);
  });

  it("reads a plain exception line with its dotted type", () => {
    expect(parseLine("deepspeed.runtime.zero.utils.ZeRORuntimeException: bad config")).toMatchObject({
      kind: "python_exception",
      type: "deepspeed.runtime.zero.utils.ZeRORuntimeException",
      message: "bad config"
    });
    expect(
      parseLine("RuntimeError: DataLoader worker (pid 2714) is killed by signal: Killed. ")
    ).toMatchObject({
      kind: "python_exception",
      type: "RuntimeError"
    });
  });
});

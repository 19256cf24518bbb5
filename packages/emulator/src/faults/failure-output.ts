import type { Printer } from "../output/printer.ts";
import type { FaultLedger, FaultPlan } from "./faults.ts";

/**
 * The faults that end the process with the lines a real job prints for them: what the supervisor
 * must classify from the job's output. Each line keeps the real format (sources in the monitor's
 * failure fixtures), with this host and process filled in.
 */
export type FailureKind = "rccl_error" | "gpu_fault" | "oom" | "collective_timeout";

const KINDS: readonly FailureKind[] = ["rccl_error", "gpu_fault", "oom", "collective_timeout"];

/** the failure planned for `step` that has not fired yet (claimed now), or null */
export function failureAt(plan: FaultPlan, step: number, ledger: FaultLedger): FailureKind | null {
  for (const k of KINDS) if (plan[k]?.step === step && ledger.claim(k, step)) return k;
  return null;
}

interface Where {
  host: string;
  pid: number;
  step: number;
  /** the global rank the process plays (torch's RANK, else 0) */
  rank: number;
  print: Printer;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** glog's `E1206 18:44:12.755262` as PyTorch's c10 logging prints it */
function glogStamp(now: Date): string {
  return `E${pad(now.getMonth() + 1)}${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}000`;
}

export function printFailure(kind: FailureKind, w: Where, now: Date = new Date()): void {
  const { host: h, pid, print } = w;
  switch (kind) {
    case "rccl_error":
      // RCCL/NCCL put the source location between the device and the level on WARN lines
      print.out(
        `${h}:${pid}:${pid + 41} [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got completion from peer 10.100.3.17<43522> with status=12 opcode=0 len=0 vendor err 129 (Recv)`
      );
      print.out(
        `${h}:${pid}:${pid + 41} [0] NCCL WARN NET/OFI Request 0x7f2c1c0a3e80 completed with error. RC: 5. Error: 5 (Input/output error). Completed length: 0`
      );
      print.err(
        `torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.18.3`
      );
      print.err(`${h}: HIP error: an illegal memory access was encountered`);
      return;
    case "gpu_fault":
      // ROCr prints no host; the pdsh/launcher label in front of it does
      print.err(
        `${h}: Memory access fault by GPU node-4 (Agent handle: 0x55d1c0e0a2b0) on address 0x7f3a10000000. Reason: Page not present or supervisor privilege.`
      );
      return;
    case "oom":
      print.err("Traceback (most recent call last):");
      print.err('  File "/gpt-neox/train.py", line 34, in <module>');
      print.err('  File "/gpt-neox/megatron/training.py", line 1017, in train_step');
      print.err(
        "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 63.98 GiB of which 1.12 GiB is free. Of the allocated memory 60.31 GiB is allocated by PyTorch, and 1.90 GiB is reserved by PyTorch but unallocated."
      );
      return;
    case "collective_timeout":
      print.err(
        `[rank${w.rank}]:[${glogStamp(now)} ProcessGroupNCCL.cpp:616] [Rank ${w.rank}] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=${w.step * 8}, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600051 milliseconds before timing out.`
      );
      return;
  }
}

/**
 * Everything the log parsers can recognise, as one closed union. A line that matches nothing is
 * `null` from the parser and counted by the caller; it is never an error, because a trainer's
 * stdout is interleaved with arbitrary library output.
 */
export type LogFormat = "neox" | "megatron" | "llmc";

export interface TrainEvent {
  kind: "train";
  format: LogFormat;
  /** completed optimizer steps */
  step: number;
  totalSteps: number | null;
  /** the primary loss (`lm_loss`, `lm loss`, llm.c `trl`); NaN for `NAN`, ±Infinity for `INF`; null when the line has none */
  loss: number | null;
  /** every loss-like key on the line, by its printed name */
  losses: Readonly<Record<string, number>>;
  lr: number | null;
  /** elapsed time per iteration, always in milliseconds */
  iterMs: number | null;
  samplesPerSec: number | null;
  lossScale: number | null;
  gradNorm: number | null;
  skippedIters: number | null;
  nanIters: number | null;
  mfuPct: number | null;
  hfuPct: number | null;
  /** NeoX `approx flops per GPU` as printed, e.g. `95.7TFLOPS` */
  flopsPerGpu: string | null;
}

export type BadNodeSource =
  | "nccl" // NCCL/RCCL WARN or error lines
  | "hip" // HIP runtime errors
  | "gpu_fault" // "Memory access fault by GPU"
  | "cxi" // Slingshot/Cassini NIC errors
  | "srun_node_failure"; // srun's "Node failure on <node>"

/**
 * Why a write to storage failed, from the errno Python names; "unwritable" when the line names no
 * errno (DeepSpeed swallowed the OSError and torch.save then found no directory or could not open
 * the file).
 */
export type StorageFault = "permission" | "read_only" | "no_space" | "quota" | "unwritable";

/**
 * Which of RCCL's network-selection lines (see text/rccl-net-lines.ts): the decision (`network`), the
 * OFI plugin's libfabric provider, the socket transport's interfaces, and whether the plugin library
 * was loaded or missing.
 */
export type RcclNetLine =
  "network" | "ofi_provider" | "socket_interfaces" | "plugin_loaded" | "plugin_missing";

/** who reported the out-of-memory: the GPU allocator (PyTorch/HIP), srun, slurmstepd's cgroup, the kernel */
export type OomSource = "gpu" | "srun" | "slurmstepd" | "kernel";

export type LogEvent =
  | TrainEvent
  | { kind: "timers"; timersMs: Readonly<Record<string, number>> }
  | {
      kind: "eval";
      format: LogFormat;
      /** null for the end-of-training evaluation */ step: number | null;
      losses: Readonly<Record<string, number>>;
    }
  | { kind: "training_start" }
  | { kind: "checkpoint_load_start"; step: number }
  | { kind: "checkpoint_loaded"; path: string }
  | { kind: "checkpoint_missing"; step: number | null }
  | { kind: "checkpoint_saving"; step: number | null; path: string | null }
  | { kind: "checkpoint_saved"; step: number | null; tag: string | null }
  | { kind: "exit_interval"; step: number }
  | { kind: "data_start"; step: number }
  | { kind: "lr_override"; source: "config" | "checkpoint"; lr: number | null }
  | { kind: "deepspeed_step"; step: number; skipped: number }
  | { kind: "overflow"; lossScale: number | null }
  | {
      kind: "node_error";
      source: BadNodeSource;
      node: string | null;
      gpu: number | null;
      /** the global rank, when the line names it (`[rank3]:`) */
      rank: number | null;
      /** the remote end NCCL names (`peer 10.1.2.3<45678>`), when it does */
      peer: string | null;
      message: string;
    }
  /** PyTorch's collective watchdog gave up on an operation: a hang; the rank is the one that reported it */
  | {
      kind: "collective_timeout";
      rank: number | null;
      op: string | null;
      seq: number | null;
      ms: number | null;
      message: string;
    }
  | { kind: "out_of_memory"; source: OomSource; node: string | null; message: string }
  /** a traceback frame in NeoX, Megatron or DeepSpeed code (other frames are not events) */
  | { kind: "traceback_frame"; file: string; line: number; func: string }
  /** the exception line that ends a Python traceback */
  | { kind: "python_exception"; type: string; message: string }
  | { kind: "task_exit"; node: string; task: number; exitCode: number }
  /** DeepSpeed could not create a checkpoint's directory and logged it; not fatal by itself (a rank racing to create it also logs this) */
  | { kind: "checkpoint_save_error"; step: number | null; path: string }
  /** the trainer raised because storage refused a write; `step` when the path is a `global_stepN` checkpoint */
  | { kind: "storage_error"; fault: StorageFault; path: string | null; step: number | null; message: string }
  /** an RCCL/NCCL INFO line about the network it chose (needs NCCL_DEBUG=INFO); `node` from the debug prefix */
  | { kind: "rccl_net"; what: RcclNetLine; value: string; node: string | null; message: string }
  /** the batch script's pre-flight found an input missing and exited before starting any rank */
  | { kind: "preflight_failed"; what: string; path: string; message: string }
  /** the batch script (spare nodes) starts the training step again on a spare after `lost` left the job */
  | {
      kind: "in_job_restart";
      restart: number;
      max: number;
      nodes: string[];
      lost: string[];
      /** `checkpoint N` or `the attempt's start` */
      from: string;
      message: string;
    }
  /** the batch script (spare nodes) lost `lost` and ends the job: no spare left, or its restart cap reached */
  | {
      kind: "in_job_restart_refused";
      lost: string[];
      why: string;
      restart: number;
      max: number;
      message: string;
    };

export type LogEventKind = LogEvent["kind"];

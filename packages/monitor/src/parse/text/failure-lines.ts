import type { LogEvent, OomSource } from "../events.ts";
import { stripLinePrefixes } from "./rank-prefix.ts";

/**
 * Lines that say why a job failed, when the reason is not a node: the collective watchdog, an
 * out-of-memory (GPU allocator, Slurm's cgroup, the kernel), and a Python exception with the frames
 * of the trainer's own code above it. Formats, with public examples, are listed in
 * `__fixtures__/failures/README.md`.
 */

type Matcher = (line: string, raw: string) => LogEvent | null;

const num = (s: string | undefined): number | null => (s === undefined ? null : Number(s));

/** PyTorch ProcessGroupNCCL: `[rank3]:[E… ProcessGroupNCCL.cpp:607] [Rank 3] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=…, OpType=…, …) ran for N milliseconds before timing out.` */
const watchdog: Matcher = (line) => {
  const m =
    /Watchdog caught collective operation timeout: WorkNCCL\(SeqNum=(\d+), OpType=(\w+).*?\) ran for (\d+) milliseconds/.exec(
      line
    );
  if (!m) return null;
  const rank = /\[(?:PG [^\]]*?)?Rank (\d+)\]/.exec(line) ?? /\[rank(\d+)\]:/.exec(line);
  return {
    kind: "collective_timeout",
    rank: num(rank?.[1]),
    op: m[2] ?? null,
    seq: num(m[1]),
    ms: num(m[3]),
    message: line.trim()
  };
};

const OOM: readonly { source: OomSource; re: RegExp; node?: number }[] = [
  // torch.OutOfMemoryError / torch.cuda.OutOfMemoryError: HIP|CUDA out of memory. Tried to allocate …
  { source: "gpu", re: /\bOutOfMemoryError\b|\b(?:HIP|CUDA) out of memory\b|\bhipErrorOutOfMemory\b/ },
  // srun: error: nid001277: tasks 1-3: Out Of Memory
  { source: "srun", re: /^srun: error: (\S+): tasks? [\d,-]+: Out Of Memory/, node: 1 },
  // slurmstepd: error: Detected 1 oom_kill event in StepId=…  /  … oom-kill event(s) in step … cgroup
  { source: "slurmstepd", re: /slurmstepd: error: Detected \d+ oom[-_]kill event/ },
  // the kernel: "Out of memory: Killed process 7899 (python) total-vm:…" (older: "Kill process N (x) score …")
  { source: "kernel", re: /\bOut of memory: Kill(?:ed)? process \d+/ }
];

const outOfMemory: Matcher = (line) => {
  for (const o of OOM) {
    const m = o.re.exec(line);
    if (m)
      return {
        kind: "out_of_memory",
        source: o.source,
        node: o.node === undefined ? null : (m[o.node] ?? null),
        message: line.trim()
      };
  }
  return null;
};

/** `  File "/gpt-neox/megatron/training.py", line 1017, in train_step`: only the trainer's own frames */
const TRAINER_FILE = /(?:^|\/)(?:megatron|deepspeed|gpt-neox|neox)\/|(?:^|\/)(?:train|deepy)\.py$/;
const frame: Matcher = (line) => {
  const m = /^\s*File "([^"]+)", line (\d+), in (\S+)\s*$/.exec(line);
  if (!m || m[1] === undefined || !TRAINER_FILE.test(m[1])) return null;
  return { kind: "traceback_frame", file: m[1], line: Number(m[2]), func: m[3] ?? "" };
};

/** the last line of a traceback: `RuntimeError: …`, `torch.distributed.DistBackendError: …` */
const exception: Matcher = (line) => {
  const m = /^((?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Interrupt))(?::\s?(.*))?$/.exec(line.trim());
  if (!m || m[1] === undefined) return null;
  return { kind: "python_exception", type: m[1], message: (m[2] ?? "").trim() };
};

const MATCHERS: readonly Matcher[] = [watchdog, outOfMemory, frame];

/** Watchdog, out-of-memory and traceback-frame lines (checked before the node errors). */
export function parseFailureLine(rawLine: string): LogEvent | null {
  const line = stripLinePrefixes(rawLine);
  for (const match of MATCHERS) {
    const hit = match(line, rawLine);
    if (hit) return hit;
  }
  return null;
}

/** A Python exception line (checked last: NCCL/HIP lines that are also exceptions say more as node errors). */
export function parseExceptionLine(rawLine: string): LogEvent | null {
  return exception(stripLinePrefixes(rawLine), rawLine);
}

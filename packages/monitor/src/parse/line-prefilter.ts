/**
 * A necessary condition for any parser in this directory to recognise a line: every pattern they
 * use contains one of these words (compared ASCII-case-insensitively, which only widens the net).
 * Lines with none of them — most library chatter — are known to be unrecognised without decoding
 * them or running some thirty regexes. Keep this list in step with the matchers: the property test
 * in line-prefilter.test.ts checks it against `parseLine` on lines built from their phrases.
 */
const MARKERS = [
  "iteration", // training lines, load start, data start, exit interval
  "validation", // eval
  "time (ms)", // timers
  "training", // "training ...", eval at the end of training
  "checkpoint", // load/missing/saving/saved/[Torch] Checkpoint/"using checkpoint value"
  "successfully", // "successfully loaded <path>"
  "learning rate", // lr overrides
  "step=", // DeepSpeed step line
  "overflow", // DeepSpeed OVERFLOW!, Cassini queue overflow
  "srun", // node failure, task exit
  "ccl", // NCCL/RCCL prefix and errors
  "memory access fault",
  "hip", // HIP error, hipError…
  "hsa_status_error",
  "cxi", // CXI errors, cxi_/cxil_ failures
  "cassini",
  "errno", // PermissionError/OSError: [Errno N] … (storage refusing writes)
  "parent directory", // torch.save into a directory that could not be created
  "cannot be opened", // torch.save of a file the directory refuses
  "streamwriter", // torch's PytorchStreamWriter write failure
  "watchdog", // PyTorch's collective watchdog timeout
  "out of memory", // GPU allocator, srun, the kernel
  "outofmemory", // torch.OutOfMemoryError, hipErrorOutOfMemory
  "oom", // slurmstepd's oom-kill/oom_kill events
  "page fault", // amdgpu VM faults
  "task launch", // srun could not launch on a node
  'file "', // traceback frames
  "error", // exception lines (…Error: …)
  "exception",
  "interrupt",
  "neoxctl-preflight", // the batch script's pre-flight check
  "neoxctl-restart" // the batch script's in-job restarts (spare nodes)
] as const;

/** llm.c's `s:N trl:` lines, only looked for when the format allows them */
const LLMC_MARKER = "s:";

const lower = (b: number): number => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

/** markers by their first byte, indexed by ASCII code (an array lookup per byte, not a Map probe) */
function buildTable(markers: readonly string[]): (Uint8Array[] | undefined)[] {
  const byFirst: (Uint8Array[] | undefined)[] = new Array<Uint8Array[] | undefined>(128).fill(undefined);
  for (const m of markers) {
    const bytes = Uint8Array.from(m, (ch) => ch.charCodeAt(0));
    (byFirst[bytes[0]!] ??= []).push(bytes);
  }
  return byFirst;
}

const TABLE = buildTable(MARKERS);
const TABLE_LLMC = buildTable([...MARKERS, LLMC_MARKER]);

export type Prefilter = "blank" | "no_marker" | "maybe";

/**
 * Classifies buf[start..end): "blank" (ASCII whitespace only), "no_marker" (ASCII, no marker: no
 * parser can match) or "maybe". Non-ASCII lines are always "maybe": the regexes see decoded text
 * (and `\s`/`trim` know Unicode spaces), so only the full parser may judge them.
 */
export function prefilterLine(buf: Buffer, start: number, end: number, withLlmc: boolean): Prefilter {
  const table = withLlmc ? TABLE_LLMC : TABLE;
  let blank = true;
  let marker = false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c > 0x7f) return "maybe";
    if (blank && c !== 0x20 && (c < 0x09 || c > 0x0d)) blank = false;
    if (marker) continue;
    const list = table[lower(c)];
    if (list === undefined) continue;
    for (const m of list) {
      if (i + m.length > end) continue;
      let j = 1;
      while (j < m.length && lower(buf[i + j]!) === m[j]) j++;
      if (j === m.length) {
        marker = true;
        break;
      }
    }
  }
  return blank ? "blank" : marker ? "maybe" : "no_marker";
}

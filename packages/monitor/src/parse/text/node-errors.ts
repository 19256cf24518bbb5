import type { LogEvent } from "../events.ts";

/**
 * Lines that point at a broken node or GPU rather than at the training code. The node is taken
 * only from where a host name really appears (NCCL's `host:pid:tid [gpu]` prefix, srun's messages,
 * a `host: ` label); "GPU node-9" in a HIP fault is the KFD device index, not a host.
 */

const HOST = "[A-Za-z][\\w.-]*\\d[\\w.-]*|[A-Za-z][\\w-]*";
const NCCL_PREFIX = new RegExp(`^\\s*(${HOST}):(\\d+):(\\d+) \\[(\\d+)\\] [RN]CCL (WARN|ERROR|INFO)\\b`);
const LABEL_PREFIX = new RegExp(`^\\s*(${HOST}):\\s`);

function labelledHost(line: string): string | null {
  const m = LABEL_PREFIX.exec(line);
  if (!m || m[1] === undefined) return null;
  // "srun: error: ..." and "Warning: ..." carry a label-like prefix that is not a host
  return /^(srun|slurmstepd|error|warning|info|note|traceback|RuntimeError)$/i.test(m[1]) ? null : m[1];
}

export function parseNodeErrorLine(line: string): LogEvent | null {
  const trimmed = line.trim();
  if (trimmed === "") return null;

  let m = /^srun: error: Node failure on (\S+)/.exec(trimmed);
  if (m)
    return {
      kind: "node_error",
      source: "srun_node_failure",
      node: m[1] ?? null,
      gpu: null,
      message: trimmed
    };

  m = /^srun: error: (\S+?): tasks? ([\d,-]+): Exited with exit code (\d+)/.exec(trimmed);
  if (m)
    return {
      kind: "task_exit",
      node: m[1] ?? "",
      task: Number((m[2] ?? "0").split(/[,-]/)[0]),
      exitCode: Number(m[3])
    };

  const nccl = NCCL_PREFIX.exec(line);
  if (nccl) {
    if (nccl[5] === "INFO") return null;
    return {
      kind: "node_error",
      source: "nccl",
      node: nccl[1] ?? null,
      gpu: Number(nccl[4]),
      message: trimmed
    };
  }

  if (/Memory access fault by GPU/.test(line)) {
    const g = /by GPU node-(\d+)/.exec(line);
    return {
      kind: "node_error",
      source: "gpu_fault",
      node: labelledHost(line),
      gpu: g ? Number(g[1]) : null,
      message: trimmed
    };
  }
  if (
    /\b[RN]CCL\b.*(unhandled system error|unhandled cuda error|remote process exited|internal error|Error\b)/.test(
      line
    ) &&
    !/\bINFO\b/.test(line)
  ) {
    return { kind: "node_error", source: "nccl", node: labelledHost(line), gpu: null, message: trimmed };
  }
  if (/\bHIP error\b|hipError\w+|HSA_STATUS_ERROR/.test(line)) {
    return { kind: "node_error", source: "hip", node: labelledHost(line), gpu: null, message: trimmed };
  }
  if (/Cassini Event Queue overflow|\bCXI\b.*error|cxil?_\w+ failed/i.test(line)) {
    return { kind: "node_error", source: "cxi", node: labelledHost(line), gpu: null, message: trimmed };
  }
  return null;
}

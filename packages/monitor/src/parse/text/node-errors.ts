import type { BadNodeSource, LogEvent } from "../events.ts";

/**
 * Lines that point at a broken node or GPU rather than at the training code. The node is taken
 * only from where a host name really appears (NCCL's `host:pid:tid [gpu]` prefix, srun's messages,
 * a `host: ` label); "GPU node-9" in a HIP fault is the KFD device index, not a host.
 */

const HOST = "[A-Za-z][\\w.-]*\\d[\\w.-]*|[A-Za-z][\\w-]*";
/**
 * NCCL's and RCCL's debug prefix `host:pid:tid [dev] `; WARN lines put the source location before
 * the level (`transport/net_ib.cc:1295 NCCL WARN`, RCCL a full path), INFO lines after it.
 */
const NCCL_PREFIX = new RegExp(
  `^\\s*(?:\\d+:\\s+)?(${HOST}):(\\d+):(\\d+) \\[(\\d+)\\] (?:\\S+:\\d+ )?[RN]CCL (WARN|ERROR|INFO)\\b`
);
const LABEL_PREFIX = new RegExp(`^\\s*(${HOST}):\\s`);

function labelledHost(line: string): string | null {
  const m = LABEL_PREFIX.exec(line);
  if (!m || m[1] === undefined) return null;
  // "srun: error: ..." and "Warning: ..." carry a label-like prefix that is not a host
  return /^(srun|slurmstepd|error|warning|info|note|traceback|RuntimeError)$/i.test(m[1]) ? null : m[1];
}

/** `[rank3]:` (PyTorch's per-rank prefix) or NCCL's `rank 3` in its own words */
function rankOf(line: string): number | null {
  const m = /\[rank(\d+)\]:/.exec(line) ?? /\[Rank (\d+)\]/.exec(line);
  return m ? Number(m[1]) : null;
}

/** NCCL names the other end as `peer 10.1.2.3<45678>` or `remote peer host<port>` */
function peerOf(line: string): string | null {
  const m = /\bpeer ([\w.:%-]+<\d+>)/.exec(line);
  return m?.[1] ?? null;
}

function nodeError(source: BadNodeSource, line: string, node: string | null, gpu: number | null): LogEvent {
  return {
    kind: "node_error",
    source,
    node,
    gpu,
    rank: rankOf(line),
    peer: peerOf(line),
    message: line.trim()
  };
}

export function parseNodeErrorLine(line: string): LogEvent | null {
  const trimmed = line.trim();
  if (trimmed === "") return null;

  let m = /^srun: error: Node failure on (\S+)/.exec(trimmed);
  if (m) return nodeError("srun_node_failure", line, m[1] ?? null, null);
  // srun could not start the step's tasks there (slurmd down, node unreachable)
  m = /^srun: error: Task launch for \S+ failed on node (\S+?):/.exec(trimmed);
  if (m) return nodeError("srun_node_failure", line, m[1] ?? null, null);

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
    return nodeError("nccl", line, nccl[1] ?? null, Number(nccl[4]));
  }

  if (/Memory access fault by GPU/.test(line)) {
    const g = /by GPU node-(\d+)/.exec(line);
    return nodeError("gpu_fault", line, labelledHost(line), g ? Number(g[1]) : null);
  }
  // the amdgpu driver's VM fault report (dmesg, or a node health check that copies it)
  if (/\bamdgpu\b.*\bpage fault\b/.test(line)) return nodeError("gpu_fault", line, labelledHost(line), null);
  if (
    /\b[RN]CCL\b.*(unhandled system error|unhandled cuda error|remote process exited|internal error|Error\b)/.test(
      line
    ) &&
    !/\bINFO\b/.test(line)
  ) {
    return nodeError("nccl", line, labelledHost(line), null);
  }
  if (/\bHIP error\b|hipError\w+|HSA_STATUS_ERROR/.test(line)) {
    return nodeError("hip", line, labelledHost(line), null);
  }
  if (/Cassini Event Queue overflow|\bCXI\b.*error|cxil?_\w+ failed/i.test(line)) {
    return nodeError("cxi", line, labelledHost(line), null);
  }
  return null;
}

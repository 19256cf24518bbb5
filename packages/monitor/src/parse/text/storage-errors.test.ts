import { describe, expect, it } from "vitest";
import { ChunkParser } from "../bytes/chunk-parser.ts";
import { parseLine } from "./parse-line.ts";

// the lines NeoX's save path prints when storage refuses a write (see storage-errors.ts for which call prints which)
const DS = "[2026-11-29 21:05:38,203] [ERROR] [engine.py:3366:_create_checkpoint_file] ";

describe("storage error lines", () => {
  it.each([
    [
      `${DS}Failed saving model checkpoint to /scratch/ck with tag global_step40`,
      { kind: "checkpoint_save_error", step: 40, path: "/scratch/ck/global_step40" }
    ],
    // older DeepSpeed capitalised it; the checkpoint_saving pattern must not take it
    [
      "[2022-01-01 00:00:00,000] [ERROR] [engine.py:1:_create_checkpoint_files] Failed Saving model checkpoint to ck/ with tag global_step7",
      { kind: "checkpoint_save_error", step: 7, path: "ck/global_step7" }
    ],
    [
      "RuntimeError: Parent directory /scratch/ck/global_step40 does not exist.",
      { kind: "storage_error", fault: "unwritable", path: "/scratch/ck/global_step40", step: 40 }
    ],
    [
      "RuntimeError: File /scratch/ck/global_step40/mp_rank_00_model_states.pt cannot be opened.",
      {
        kind: "storage_error",
        fault: "unwritable",
        path: "/scratch/ck/global_step40/mp_rank_00_model_states.pt",
        step: 40
      }
    ],
    [
      "RuntimeError: [enforce fail at inline_container.cc:445] . PytorchStreamWriter failed writing file data/0: file write failed",
      { kind: "storage_error", fault: "unwritable", path: null, step: null }
    ],
    [
      "PermissionError: [Errno 13] Permission denied: '/scratch/ck/global_step40'",
      { kind: "storage_error", fault: "permission", path: "/scratch/ck/global_step40", step: 40 }
    ],
    [
      "PermissionError: [Errno 1] Operation not permitted: 'ck/global_step30'",
      { kind: "storage_error", fault: "permission", path: "ck/global_step30", step: 30 }
    ],
    [
      "OSError: [Errno 30] Read-only file system: '/lustre/ck/latest'",
      { kind: "storage_error", fault: "read_only", path: "/lustre/ck/latest", step: null }
    ],
    [
      "OSError: [Errno 28] No space left on device",
      { kind: "storage_error", fault: "no_space", path: null, step: null }
    ],
    [
      'OSError: [Errno 122] Disk quota exceeded: "/p/it\'s/global_step9/x.pt"',
      { kind: "storage_error", fault: "quota", path: "/p/it's/global_step9/x.pt", step: 9 }
    ],
    [
      "[default3]:PermissionError: [Errno 13] Permission denied: '/ck/global_step5'",
      { kind: "storage_error", fault: "permission", path: "/ck/global_step5", step: 5 }
    ]
  ])("%s", (line, expected) => {
    expect(parseLine(line)).toMatchObject(expected);
  });

  it.each([
    // errnos that are not storage refusing writes, and prose that only mentions the words
    "FileNotFoundError: [Errno 2] No such file or directory: '/ck/global_step40/mp_rank_01_model_states.pt'",
    "OSError: [Errno 5] Input/output error: '/ck'",
    "ConnectionRefusedError: [Errno 111] Connection refused",
    "the parent directory holds the run",
    "RuntimeError: DataLoader worker (pid 2714) is killed by signal: Killed. "
  ])("not a storage error: %s", (line) => {
    const ev = parseLine(line);
    expect(ev?.kind === "storage_error" || ev?.kind === "checkpoint_save_error").toBe(false);
  });

  it("the byte-level parser finds the same events (its prefilter knows the words)", () => {
    const lines = [
      `${DS}Failed saving model checkpoint to /ck with tag global_step40`,
      "RuntimeError: Parent directory /ck/global_step40 does not exist.",
      "RuntimeError: File /ck/global_step40/x.pt cannot be opened.",
      "RuntimeError: [enforce fail at inline_container.cc:445] . PytorchStreamWriter failed writing file data/0: file write failed",
      "PermissionError: [Errno 13] Permission denied: '/ck/global_step40'",
      "OSError: [Errno 30] Read-only file system: '/ck/global_step40'"
    ];
    const chunk = new ChunkParser("auto").push(Buffer.from(lines.join("\n") + "\n"));
    expect(chunk).toEqual(lines.map((l) => parseLine(l)));
    expect(chunk.every((e) => e !== null)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { ResilienceSchema } from "@neoxctl/core";
import { ChunkParser } from "@neoxctl/monitor";
import { AttemptObserver } from "./attempt-observer.ts";
import { neoxTrainLine as line } from "./neox-lines.test-support.ts";

const R = ResilienceSchema.parse({
  hang: { k: 10, floor_s: 2, startup_grace_s: 5 },
  spike: { recover_window_steps: 10 }
});

const parsers = new WeakMap<AttemptObserver, ChunkParser>();

/** what the log reader does: bytes → the monitor's located events → the observer */
function feed(o: AttemptObserver, text: string, now: number): void {
  const p = parsers.get(o) ?? new ChunkParser();
  parsers.set(o, p);
  o.apply(p.pushLocated(Buffer.from(text)), now);
}

describe("AttemptObserver", () => {
  it("reads iterations, resume and exit lines, and whole lines only", () => {
    const o = new AttemptObserver(R, 2);
    const text =
      "Loading checkpoint and starting from iteration 40\n" +
      line(41, "2.500000E+00") +
      line(42, "2.490000E+00") +
      "rank: 0 | time: 1 | exiting the program at iteration 42\n";
    const half = Math.floor(text.length / 2);
    feed(o, text.slice(0, half), 0);
    feed(o, text.slice(half), 0);
    expect(o.obs).toMatchObject({
      resumedFrom: 40,
      firstIteration: 41,
      lastIteration: 42,
      exitedAt: 42,
      unableToLoad: false
    });
    expect(o.pending.map((p) => [p.step, p.attempt])).toEqual([
      [41, 2],
      [42, 2]
    ]);
  });

  it("an in-job restart (spare nodes) clears the failed step's node errors and restarts the hang watch", () => {
    const o = new AttemptObserver(R, 1);
    feed(o, line(121, "2.5E+00") + line(122, "2.5E+00"), 1_000);
    feed(
      o,
      "srun: error: Node failure on nid002\nsrun: error: nid002: tasks 2-3: Killed\nsrun: Force Terminated StepId=48.1\n",
      2_000
    );
    expect(o.obs.errorNodes).toEqual(["nid002"]);
    expect(o.obs.slurmLostNodes).toEqual(["nid002"]);
    // no step for 20 s after the failure: hung by the 2 s floor
    expect(o.checkHang(22_000, 0)).toBe(true);
    feed(
      o,
      "neoxctl-restart: in-job restart 1/2 on nid001,nid003 without nid002 from checkpoint 120\n",
      22_000
    );
    expect(o.obs.errorNodes).toEqual([]);
    expect(o.obs.slurmLostNodes).toEqual([]);
    expect(o.obs.unnotedRestart).toMatchObject({ restart: 1, nodes: ["nid001", "nid003"], lost: ["nid002"] });
    expect(o.obs.inJobRestarts).toHaveLength(1);
    // the new step gets the startup grace (5 s) from the restart line on
    expect(o.checkHang(26_000, 0)).toBe(false);
    expect(o.checkHang(28_000, 0)).toBe(true);
    feed(o, "Loading checkpoint and starting from iteration 120\n" + line(121, "2.5E+00"), 28_500);
    expect(o.checkHang(29_000, 0)).toBe(false);
    expect(o.obs).toMatchObject({ resumedFrom: 120, lastIteration: 121, firstIteration: 121 });
  });

  it("a refused in-job restart blames the nodes the script judged lost, even with no srun line naming them", () => {
    const o = new AttemptObserver(R, 1);
    feed(o, line(121, "2.5E+00"), 1_000);
    feed(
      o,
      "neoxctl-restart: node failure on nid004, no spare node left (1/2 in-job restarts); ending the job\n",
      2_000
    );
    expect(o.obs.errorNodes).toEqual(["nid004"]);
  });

  it("flags `Unable to load checkpoint.`", () => {
    const o = new AttemptObserver(R, 1);
    feed(o, "Unable to load checkpoint.\n", 0);
    expect(o.obs.unableToLoad).toBe(true);
  });

  it("does not repeat series points already stored before a restart", () => {
    const first = line(1, "3.000000E+00");
    const o = new AttemptObserver(R, 1, Buffer.byteLength(first));
    feed(o, first + line(2, "2.900000E+00"), 0);
    expect(o.pending.map((p) => p.step)).toEqual([2]);
    expect(o.obs.firstIteration).toBe(1);
  });

  it("raises a NaN alarm with its log line", () => {
    const o = new AttemptObserver(R, 1);
    let text = "";
    for (let i = 1; i <= 30; i++) text += line(i, (3 - i * 0.01).toFixed(6) + "E+00");
    text += line(31, "NAN");
    feed(o, text, 0);
    expect(o.obs.alarm).toMatchObject({ kind: "nan", onsetStep: 31, recovered: false });
    expect(o.obs.alarm?.lines[0]).toContain("NAN");
  });

  it("keeps a one-step outlier as a non-actionable notice, and lets a later alarm replace it", () => {
    const o = new AttemptObserver(R, 1);
    let text = "";
    for (let i = 1; i <= 30; i++) text += line(i, "2.000000E+00");
    text += line(31, "4.000000E+00") + line(32, "2.000000E+00");
    feed(o, text, 0);
    expect(o.obs.alarm).toMatchObject({ kind: "outlier", actionable: false, onsetStep: 31, segment: 0 });
    feed(o, line(33, "5.000000E+00") + line(34, "5.000000E+00"), 0);
    expect(o.obs.alarm).toMatchObject({ kind: "spike", actionable: true, onsetStep: 33, step: 34 });
  });

  it("settles a log that ended on one high point as a spike once the job has ended", () => {
    const o = new AttemptObserver(R, 1);
    let text = "";
    for (let i = 1; i <= 30; i++) text += line(i, "2.000000E+00");
    feed(o, text + line(31, "6.000000E+00"), 0);
    expect(o.obs.alarm).toBeUndefined();
    o.settle();
    expect(o.obs.alarm).toMatchObject({ kind: "spike", actionable: true, onsetStep: 31 });
  });

  it("judges a hang from wall time since the last new iteration, with a floor and a startup grace", () => {
    const o = new AttemptObserver(R, 1);
    expect(o.checkHang(4_000, 0)).toBe(false);
    expect(o.checkHang(6_000, 0)).toBe(true);
    feed(o, line(1, "3.0E+00"), 10_000);
    expect(o.checkHang(11_900, 0)).toBe(false);
    expect(o.checkHang(12_100, 0)).toBe(true);
  });

  it("names the node of an RCCL error", () => {
    const o = new AttemptObserver(R, 1);
    feed(o, "nid002:1234:1234 [0] NCCL WARN NET/OFI Request error\n", 0);
    expect(o.obs.errorNodes).toEqual(["nid002"]);
  });
});

describe("AttemptObserver: storage errors", () => {
  const DS =
    "[2026-11-29 21:05:38,203] [ERROR] [engine.py:3366:_create_checkpoint_file] Failed saving model checkpoint to /ck with tag global_step30\n";

  it("DeepSpeed's error line alone is not a failure (a rank losing a makedirs race logs it too)", () => {
    const o = new AttemptObserver(R, 1);
    feed(o, DS, 0);
    expect(o.obs.storageError).toBeUndefined();
  });

  it("the exception after it is one: fault, path and step, both lines as evidence", () => {
    const o = new AttemptObserver(R, 1);
    feed(
      o,
      line(30, "2.5E+00") +
        DS +
        "Traceback (most recent call last):\nRuntimeError: Parent directory /ck/global_step30 does not exist.\n",
      0
    );
    expect(o.obs.storageError).toEqual({
      fault: "unwritable",
      path: "/ck/global_step30",
      step: 30,
      lines: [DS.trimEnd(), "RuntimeError: Parent directory /ck/global_step30 does not exist."]
    });
  });

  it("an OSError without a path takes the checkpoint from DeepSpeed's line; the first failure is kept", () => {
    const o = new AttemptObserver(R, 1);
    feed(
      o,
      DS +
        "OSError: [Errno 28] No space left on device\nPermissionError: [Errno 13] Permission denied: '/ck/latest'\n",
      0
    );
    expect(o.obs.storageError).toMatchObject({ fault: "no_space", path: "/ck/global_step30", step: 30 });
  });
});

describe("AttemptObserver: failure classes (issue 17)", () => {
  it("keeps the first watchdog timeout with its rank, op and sequence number", () => {
    const o = new AttemptObserver(R, 1);
    const wd = (r: number): string =>
      `[rank${r}]:[E626 06:24:44.903881913 ProcessGroupNCCL.cpp:616] [Rank ${r}] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=808, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600020 milliseconds before timing out.\n`;
    feed(o, line(10, "2.5E+00") + wd(5) + wd(2), 0);
    expect(o.obs.collectiveTimeout).toMatchObject({ rank: 5, op: "ALLREDUCE", seq: 808, ms: 600020 });
    expect(o.obs.collectiveTimeout?.lines).toHaveLength(2);
  });

  it("collects out-of-memory lines and the node srun names", () => {
    const o = new AttemptObserver(R, 1);
    feed(
      o,
      "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB.\nsrun: error: nid002: task 12: Out Of Memory\n",
      0
    );
    expect(o.obs.outOfMemory).toMatchObject({ source: "gpu", node: "nid002" });
    expect(o.obs.outOfMemory?.lines).toHaveLength(2);
  });

  it("takes the NCCL WARN host with a source location as an error node", () => {
    const o = new AttemptObserver(R, 1);
    feed(
      o,
      "nid003:4242:4283 [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got completion from peer 10.1.2.3<43522> with status=12 opcode=0 len=0 vendor err 129 (Recv)\n",
      0
    );
    expect(o.obs.errorNodes).toEqual(["nid003"]);
  });

  it("names the exception with the innermost trainer frame above it", () => {
    const o = new AttemptObserver(R, 1);
    feed(
      o,
      [
        "Traceback (most recent call last):",
        '  File "/gpt-neox/train.py", line 34, in <module>',
        '  File "/gpt-neox/megatron/training.py", line 1017, in train_step',
        '  File "/usr/lib/python3/site-packages/torch/nn/modules/module.py", line 1518, in _call_impl',
        "ValueError: bad shape",
        ""
      ].join("\n"),
      0
    );
    expect(o.obs.exception).toMatchObject({
      type: "ValueError",
      message: "bad shape",
      frame: "/gpt-neox/megatron/training.py:1017 in train_step"
    });
  });
});

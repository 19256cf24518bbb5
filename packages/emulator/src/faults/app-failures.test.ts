import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FaultLedger, parseFaultPlan } from "./faults.ts";
import { appFailureAt, printAppFailure } from "./app-failures.ts";

function capture(): { lines: string[]; print: { out: (l: string) => void; err: (l: string) => void } } {
  const lines: string[] = [];
  return { lines, print: { out: (l) => void lines.push(l), err: (l) => void lines.push(l) } };
}

describe("traceback, step node failure and HIP error knobs", () => {
  const env = { NEOX_EMU_PY_ERROR_AT: "7", NEOX_EMU_STEP_NODE_FAIL_AT: "8", NEOX_EMU_HIP_ERROR_AT: "9" };

  it("fire once each at their step (the ledger remembers them across attempts)", () => {
    const plan = parseFaultPlan(env);
    const ledger = new FaultLedger(join(mkdtempSync(join(tmpdir(), "emu-")), "state.json"), env);
    expect([6, 7, 8, 9].map((s) => appFailureAt(plan, s, ledger))).toEqual([
      null,
      "py_error",
      "step_node_fail",
      "hip_error"
    ]);
    expect(appFailureAt(plan, 7, ledger)).toBeNull();
  });

  it("print a traceback whose innermost trainer frame is DeepSpeed's, srun's node failure, and a labelled HIP error", () => {
    const c = capture();
    printAppFailure("py_error", { host: "nid001", print: c.print });
    expect(c.lines[0]).toBe("Traceback (most recent call last):");
    expect(c.lines.at(-1)).toMatch(/^RuntimeError: /);
    const frames = c.lines.filter((l) => l.startsWith('  File "'));
    expect(frames.at(-2)).toContain("/deepspeed/runtime/pipe/engine.py");
    expect(frames.at(-1)).toContain("/torch/nn/modules/module.py");
    const s = capture();
    printAppFailure("step_node_fail", { host: "nid003", print: s.print });
    expect(s.lines).toEqual(["srun: error: Node failure on nid003"]);
    const h = capture();
    printAppFailure("hip_error", { host: "nid002", print: h.print });
    expect(h.lines[0]).toBe("nid002: RuntimeError: HIP error: an illegal memory access was encountered");
  });
});

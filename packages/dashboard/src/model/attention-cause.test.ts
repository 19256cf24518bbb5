import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALERT_KINDS } from "../alerts/alert.ts";
import { ATTENTION_CAUSES, classifyAttention } from "./attention-cause.ts";

const RUNBOOK = join(import.meta.dirname, "..", "..", "..", "..", "docs", "runbook");

describe("runbook", () => {
  it("has a page for every attention cause and every alert kind", () => {
    const missing = [...ATTENTION_CAUSES, ...ALERT_KINDS].filter(
      (n) => !existsSync(join(RUNBOOK, `${n}.md`))
    );
    expect(missing).toEqual([]);
  });
});

describe("classifyAttention", () => {
  it("sorts the supervisor's cause sentences into their kinds", () => {
    const cases: [string, string][] = [
      ["loss spike at step 29050; already 2 rollbacks within 2000 steps (cap 2)", "spike_rollback_cap"],
      ["loss spike at step 10; spike budget spent (3/3)", "spike_budget_spent"],
      [
        "loss spike at step 900 did not recover within 50 steps; the LR 2.000e-5 is already at the spike policy's floor: lowering it again would go below min_lr 0.00002, and spike.at_min_lr is attention",
        "spike_lr_floor"
      ],
      ["job 5 ended NODE_FAIL on nid1; but the node budget is spent (4/4)", "budget_spent"],
      [
        "job 5 FAILED (exit 1) at step 40: failed 3 times in a row at the same step (crash loop, limit 3)",
        "crash_loop"
      ],
      ["job 5 ran out of memory on nid1 (GPU memory); not retrying: a retry would…", "out_of_memory"],
      ["x; but the planner refused the new attempt: lr must be positive", "planner_refused"],
      ["job 7 was cancelled outside neoxctl", "cancelled_outside"],
      ["something new", "unclassified"]
    ];
    for (const [text, kind] of cases) expect(classifyAttention(text)).toBe(kind);
    expect(classifyAttention("Invalid account", "submit_rejected")).toBe("submit_rejected");
  });
});

import { describe, expect, it } from "vitest";
import type { RunSummary } from "../model/read-model.ts";
import { renderGoodput } from "./goodput.ts";

const base = { id: "r1" } as RunSummary;

describe("renderGoodput", () => {
  it("a graph run: both shares, the steps' time on its own, and only the rest as lost", () => {
    const out = String(
      renderGoodput({
        ...base,
        goodput: {
          ett: 0.5,
          ettTraining: 0.8,
          wallS: 7200,
          split: { productive: 3600, queue: 600, startup: 300, workflow_steps: 2700 }
        }
      })
    );
    expect(out).toContain('data-ett="0.5000" data-ett-training="0.8000"');
    expect(out).toMatch(/<strong>50\.0 %<\/strong> of 2h 0m\s+\(80\.0 % of the training part\)/);
    expect(out).toContain('workflow steps <span data-workflow-steps="2700">45m 0s</span>');
    expect(out).toMatch(/lost: queue 10m 0s, startup 5m 0s/);
    expect(out).not.toMatch(/lost:.*workflow/);
  });

  it("a run without a graph shows one share and no steps", () => {
    const out = String(
      renderGoodput({
        ...base,
        goodput: { ett: 0.931, wallS: 7200, split: { productive: 6703, queue: 497 } }
      })
    );
    expect(out).toMatch(/<strong>93\.1 %<\/strong>/);
    expect(out).not.toContain("training part");
    expect(out).toContain('data-ett-training=""');
    expect(out).not.toContain("workflow steps");
  });
});

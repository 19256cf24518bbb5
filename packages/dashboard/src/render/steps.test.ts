import { describe, expect, it } from "vitest";
import { renderSteps } from "./steps.ts";

describe("renderSteps", () => {
  it("shows one row per step with tasks done/total, retries and jobs", () => {
    const out = String(
      renderSteps([
        {
          id: "convert",
          kind: "convert",
          state: "done",
          done: 1,
          total: 1,
          running: 0,
          retries: 0,
          jobIds: ["10"],
          dependsOn: []
        },
        {
          id: "tokenize",
          kind: "tokenize",
          state: "running",
          done: 3,
          total: 8,
          running: 2,
          retries: 1,
          jobIds: ["11", "14"],
          dependsOn: []
        },
        {
          id: "merge",
          kind: "merge",
          state: "needs_attention",
          done: 0,
          total: 1,
          running: 0,
          retries: 0,
          jobIds: [],
          dependsOn: ["tokenize"],
          attention: "step merge <exit 2>"
        }
      ])
    );
    expect(out).toContain('data-step="tokenize"');
    expect(out).toContain("3/8 (2 running)");
    expect(out).toContain("11, 14");
    expect(out.replace(/\s+/g, " ")).toContain("Job graph (1/3 steps done)");
    // the cause is escaped
    expect(out).toContain("step merge &lt;exit 2&gt;");
  });

  it("counts the steps an --only run leaves out", () => {
    const step = (id: string, state: "done" | "not_selected") => ({
      id,
      kind: "tokenize" as const,
      state,
      done: state === "done" ? 1 : 0,
      total: 1,
      running: 0,
      retries: 0,
      jobIds: [],
      dependsOn: []
    });
    const out = String(
      renderSteps([step("convert", "not_selected"), step("tokenize", "done"), step("train", "not_selected")])
    );
    expect(out.replace(/\s+/g, " ")).toContain("Job graph (1/3 steps done, 2 not selected)");
    expect(out).toContain('data-state="not_selected"');
  });

  it("renders nothing for a training-only run", () => {
    expect(String(renderSteps(undefined))).toBe("");
  });
});

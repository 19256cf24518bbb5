import { describe, expect, it } from "vitest";
import { StateError } from "@neoxctl/core";
import { assertTransition, isTerminal, nextStates, RUN_STATES } from "./run-state.ts";

describe("run state machine", () => {
  it("allows the happy path and the recovery loop", () => {
    const path = ["planned", "queued", "running", "recovering", "queued", "running", "completed"] as const;
    for (let i = 1; i < path.length; i++)
      expect(() => assertTransition("r", path[i - 1]!, path[i]!)).not.toThrow();
  });

  it("rejects every transition out of a terminal state with INVALID_TRANSITION", () => {
    for (const from of RUN_STATES.filter(isTerminal)) {
      for (const to of RUN_STATES) {
        let caught: unknown;
        try {
          assertTransition("r", from, to);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(StateError);
        expect((caught as StateError).code).toBe("INVALID_TRANSITION");
      }
    }
  });

  it("lets a run complete only from running, or from where a job graph's last steps ran without an attempt", () => {
    // planned: a graph with no train step (or --only one step); recovering: graph steps a human resumed
    const allowed = ["planned", "running", "recovering"];
    for (const from of RUN_STATES)
      expect(nextStates(from).includes("completed")).toBe(allowed.includes(from));
  });

  it("lets a human bring needs_attention back only through recovering or cancel it", () => {
    expect(nextStates("needs_attention")).toEqual(["recovering", "cancelled", "failed"]);
    expect(() => assertTransition("r", "needs_attention", "queued")).toThrow(StateError);
  });
});

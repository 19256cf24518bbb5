import { describe, expect, it } from "vitest";
import type { Attempt, StoredEvent } from "@neoxctl/supervisor";
import { attemptLine, attemptRows, jobRows } from "./status-attempts.ts";

function attempt(index: number, over: Partial<Attempt>): Attempt {
  return {
    index,
    reason: index === 1 ? "first" : "node",
    params: { load: { kind: "init" }, lr: 3e-4, seed: 1, excludeNodes: [] },
    diff: [],
    phase: "ended",
    configDir: "/x",
    logPath: "/x/log",
    restartsSeen: 0,
    cancelRequested: false,
    createdAt: `2026-01-01T0${index}:00:00Z`,
    logOffset: 0,
    ...over
  };
}

const events: StoredEvent[] = [
  {
    id: "1-0",
    type: "job_started",
    time: "",
    cause: "",
    attempt: 1,
    evidence: { nodes: ["nid001", "nid002"] }
  },
  { id: "2-0", type: "recover_node", time: "", cause: "", attempt: 1, evidence: { nodes: ["nid002"] } },
  { id: "3-0", type: "job_started", time: "", cause: "", attempt: 2, evidence: {} }
];

describe("status: every attempt", () => {
  const rows = attemptRows(
    [
      attempt(1, { jobId: "101", endState: "NODE_FAIL", endedAt: "2026-01-01T01:30:00Z" }),
      attempt(2, {
        jobId: "102",
        phase: "submitted",
        nodes: ["nid001", "nid003"],
        params: { load: { kind: "resume", iteration: 200 }, lr: 3e-4, seed: 1, excludeNodes: ["nid002"] }
      }),
      attempt(3, { phase: "submitting" })
    ],
    events
  );

  it("shows job, nodes, checkpoint loaded, exclusions and how it ended", () => {
    expect(rows.map((r) => [r.jobId, r.nodes, r.loaded, r.excluded, r.ended])).toEqual([
      ["101", ["nid002"], "init", [], "NODE_FAIL"],
      ["102", ["nid001", "nid003"], "step 200", ["nid002"], "running"],
      [null, [], "init", [], "submitting"]
    ]);
    expect(attemptLine(rows[1]!)).toContain(
      "job 102  nodes nid001,nid003  loaded step 200  exclude [nid002]"
    );
  });

  it("--jobs lists each recorded job and a queued continuation", () => {
    expect(
      jobRows(rows, { jobId: "103", attempt: 3 }).map((j) => [j.jobId, j.attempt, j.state, j.recorded])
    ).toEqual([
      ["101", 1, "NODE_FAIL", { phase: "ended", endState: "NODE_FAIL", cancelRequested: false }],
      ["102", 2, "running", { phase: "running", endState: null, cancelRequested: false }],
      ["103", 3, "continuation (pending)", { phase: "continuation", endState: null, cancelRequested: false }]
    ]);
  });
});

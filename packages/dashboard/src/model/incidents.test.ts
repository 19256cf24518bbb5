import { describe, expect, it } from "vitest";
import { deriveIncidents } from "./incidents.ts";
import type { AttemptView, EventView } from "./read-model.ts";

const t = (m: number): string => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();
const att = (index: number, loadStep?: number): AttemptView => ({
  index,
  reason: "x",
  nodes: [],
  excludeNodes: [],
  phase: "ended",
  createdAt: t(0),
  lr: 1e-4,
  seed: 1,
  ...(loadStep !== undefined ? { loadStep } : {})
});
const ev = (type: EventView["type"], m: number, attempt: number): EventView => ({
  id: `${m}-0`,
  type,
  time: t(m),
  cause: type,
  attempt,
  evidence: { logLines: [], nodes: [], configDiff: [] }
});

describe("deriveIncidents", () => {
  it("pairs a failure with its decisions and the next attempt's first progress, with the cost", () => {
    const points = [
      { step: 100, attempt: 1, time: t(10) },
      { step: 140, attempt: 1, time: t(14) },
      { step: 121, attempt: 2, time: t(30) }
    ];
    const [inc, open] = deriveIncidents(
      [
        ev("job_started", 1, 1),
        ev("recover_node", 16, 1),
        ev("attempt_submitted", 17, 2),
        ev("needs_attention", 40, 2)
      ],
      [att(1), att(2, 120), att(3)],
      points,
      { now: new Date(t(60)), stepTimeS: 6, devices: 16 }
    );
    expect(inc?.steps.map((s) => s.type)).toEqual(["recover_node"]);
    expect(inc?.detectS).toBe(120);
    expect(inc?.downS).toBe(16 * 60);
    expect(inc?.stepsLost).toBe(20);
    expect(inc?.gpuHours).toBeCloseTo(((16 * 60 + 20 * 6) * 16) / 3600);
    expect(open?.recoveredAt).toBeUndefined();
    expect(open?.downS).toBe(30 * 60);
  });
});

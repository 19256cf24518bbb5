import { describe, expect, it } from "vitest";
import { buildChartData } from "./chart-data.ts";
import type { AttemptView, SeriesPoint } from "../model/read-model.ts";
import { escapeHtml, html } from "./html.ts";

const att = (index: number, lr: number): AttemptView => ({
  index,
  reason: "x",
  nodes: [],
  excludeNodes: [],
  phase: "ended",
  createdAt: "2026-01-01T00:00:00Z",
  lr,
  seed: 1
});
const pts = (attempt: number, from: number, to: number): SeriesPoint[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i, attempt, loss: attempt * 10 + i }));

describe("buildChartData", () => {
  it("splits what a later attempt re-ran into the discarded series and places markers", () => {
    const d = buildChartData(
      {
        points: [...pts(1, 1, 10), ...pts(2, 6, 20), ...pts(3, 15, 25)],
        spikes: [{ step: 18, kind: "spike", recovered: false }],
        rollbacks: [{ attempt: 3, onsetStep: 18, toStep: 14, lrFrom: 1, lrTo: 0.5 }]
      },
      [att(1, 1), att(2, 1), att(3, 0.5)]
    );
    expect(d.steps).toHaveLength(25);
    expect(d.counts.discardedPoints).toBe(5 + 6);
    expect(d.loss.kept.filter((v) => v !== null)).toHaveLength(25);
    expect(d.markerSteps).toEqual({ spike: [18], rollback: [15], lr_change: [15], restart: [6, 15] });
    expect(d.loss.markers.restart.filter((v) => v !== null)).toHaveLength(2);
  });
});

describe("html", () => {
  it("escapes interpolated values and keeps nested safe fragments", () => {
    expect(escapeHtml(`<a href="x">'&\``)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#96;");
    const inner = html`<b>${"<i>"}</b>`;
    expect(html`<p>${inner}${["<x>", 1]}</p>`.value).toBe("<p><b>&lt;i&gt;</b>&lt;x&gt;1</p>");
  });
});

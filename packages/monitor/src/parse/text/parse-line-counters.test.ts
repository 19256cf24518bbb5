import { describe, expect, it } from "vitest";
import { LineParser, parseLine } from "./parse-line.ts";

// Regression: `s:999…9 trl:…` (400 digits) gave a train event at step Infinity, which the supervisor
// would have stored as the newest step and the dashboard plotted.
describe("parseLine refuses step counters that are not safe integers", () => {
  const big = "9".repeat(400);
  it.each([
    `s:${big} trl:2.5 lr:0.0001 norm:1.0`,
    `s:${big} tel:2.5`,
    ` samples/sec: 1.0 | iteration ${big}/ 100 | elapsed time per iteration (ms): 10.0 | learning rate: 1.000E-04 | lm_loss: 2.0E+00 |`,
    ` samples/sec: 1.0 | iteration 10/ ${big} | elapsed time per iteration (ms): 10.0 | learning rate: 1.000E-04 | lm_loss: 2.0E+00 |`,
    `s:9007199254740993 trl:2.5`
  ])("%#: counted as unknown", (line) => {
    expect(parseLine(line)).toBeNull();
    const p = new LineParser();
    p.parse(line);
    expect(p.unparsed).toBe(1);
  });

  it("still parses ordinary steps", () => {
    expect(parseLine("s:12 trl:2.5 lr:0.0001 norm:1.0")).toMatchObject({ kind: "train", step: 12 });
  });
});

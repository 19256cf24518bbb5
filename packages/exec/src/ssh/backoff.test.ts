import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "./backoff.ts";

describe("reconnectDelayMs", () => {
  it("connects at once before any failure", () => {
    expect(reconnectDelayMs(0)).toBe(0);
  });

  it("doubles per failure up to the cap, jittered within the upper half", () => {
    expect([1, 2, 3, 4].map((n) => reconnectDelayMs(n, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((n) => reconnectDelayMs(n, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(reconnectDelayMs(40, () => 1)).toBe(15_000);
    expect(reconnectDelayMs(40, () => 0)).toBe(7_500);
  });
});

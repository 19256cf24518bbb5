import { describe, expect, it } from "vitest";
import { NodeStateCache } from "./node-states.ts";

function counting(values: string[][]): { fetch: () => Promise<string[]>; calls: () => number } {
  let n = 0;
  return { fetch: () => Promise.resolve(values[Math.min(n++, values.length - 1)]!), calls: () => n };
}

describe("NodeStateCache", () => {
  it("asks Slurm once per max age, again after it expires", async () => {
    let t = 0;
    const src = counting([["nid001"], ["nid002"]]);
    const cache = new NodeStateCache(src.fetch, 10_000, () => t);
    expect(await cache.bad()).toEqual(["nid001"]);
    t = 9_999;
    expect(await cache.bad()).toEqual(["nid001"]);
    expect(src.calls()).toBe(1);
    t = 10_000;
    expect(await cache.bad()).toEqual(["nid002"]);
    expect(src.calls()).toBe(2);
  });

  it("asks again at once after invalidate, and shares one request between concurrent callers", async () => {
    const src = counting([[], ["nid003"]]);
    const cache = new NodeStateCache(src.fetch, 60_000, () => 0);
    expect(await cache.bad()).toEqual([]);
    cache.invalidate();
    const [a, b] = await Promise.all([cache.bad(), cache.bad()]);
    expect(a).toEqual(["nid003"]);
    expect(b).toEqual(["nid003"]);
    expect(src.calls()).toBe(2);
  });

  it("asks again when a cached DOWN node runs a job (it was resumed since), not otherwise", async () => {
    const src = counting([["nid001"], []]);
    const cache = new NodeStateCache(src.fetch, 60_000, () => 0);
    expect(await cache.bad()).toEqual(["nid001"]);
    expect(await cache.bad(new Set(["nid002"]))).toEqual(["nid001"]);
    expect(src.calls()).toBe(1);
    expect(await cache.bad(new Set(["nid001", "nid002"]))).toEqual([]);
    expect(src.calls()).toBe(2);
  });

  it("does not cache a failure", async () => {
    let n = 0;
    const cache = new NodeStateCache(
      () => (n++ === 0 ? Promise.reject(new Error("slurmctld down")) : Promise.resolve(["nid004"])),
      60_000,
      () => 0
    );
    await expect(cache.bad()).rejects.toThrow("slurmctld down");
    expect(await cache.bad()).toEqual(["nid004"]);
  });

  it("with max age 0 asks every time", async () => {
    const src = counting([["a"], ["b"]]);
    const cache = new NodeStateCache(src.fetch, 0, () => 5);
    await cache.bad();
    await cache.bad();
    expect(src.calls()).toBe(2);
  });
});

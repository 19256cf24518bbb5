import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compressHostlist, expandHostlist } from "./hostlist.ts";

describe("expandHostlist", () => {
  it("expands ranges with zero padding and single values", () => {
    expect(expandHostlist("nid[001-004,007]")).toEqual(["nid001", "nid002", "nid003", "nid004", "nid007"]);
    expect(expandHostlist("nid[099-101]")).toEqual(["nid099", "nid100", "nid101"]);
    expect(expandHostlist("n[9-10]")).toEqual(["n9", "n10"]);
  });
  it("handles several brackets, plain names and lists", () => {
    expect(expandHostlist("r[1-2]n[01-02]")).toEqual(["r1n01", "r1n02", "r2n01", "r2n02"]);
    expect(expandHostlist("login1,nid[001-002],gpu-[3-4]-x")).toEqual([
      "login1",
      "nid001",
      "nid002",
      "gpu-3-x",
      "gpu-4-x"
    ]);
  });
  it("treats Slurm's empty markers as no nodes", () => {
    expect(expandHostlist("")).toEqual([]);
    expect(expandHostlist("(null)")).toEqual([]);
    expect(expandHostlist("None assigned")).toEqual([]);
  });
  it("rejects malformed expressions with SLURM_PARSE", () => {
    for (const bad of ["nid[001-", "nid]1[", "nid[a-b]", "nid[5-3]"]) {
      expect(() => expandHostlist(bad), bad).toThrow(expect.objectContaining({ code: "SLURM_PARSE" }));
    }
  });
});

describe("compressHostlist", () => {
  it("merges consecutive numbers and keeps padding", () => {
    expect(compressHostlist(["nid001", "nid002", "nid003", "nid004", "nid007"])).toBe("nid[001-004,007]");
    expect(compressHostlist(["nid004", "nid002", "nid003", "nid002"])).toBe("nid[002-004]");
    expect(compressHostlist(["nid001"])).toBe("nid001");
    expect(compressHostlist(["login", "nid001", "nid002"])).toBe("login,nid[001-002]");
    expect(compressHostlist([])).toBe("");
  });

  const name = fc
    .tuple(
      fc.constantFrom("nid", "gpu", "x-", "a1b"),
      fc.integer({ min: 0, max: 1200 }),
      fc.integer({ min: 1, max: 5 })
    )
    .map(([p, n, w]) => p + String(n).padStart(w, "0"));

  it("round-trips: expand(compress(names)) is the same set", () => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: 60 }), (names) => {
        const back = expandHostlist(compressHostlist(names));
        expect(new Set(back)).toEqual(new Set(names));
        expect(back.length).toBe(new Set(names).size);
      })
    );
  });

  it("is stable: compress(expand(compress(x))) equals compress(x)", () => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: 60 }), (names) => {
        const once = compressHostlist(names);
        expect(compressHostlist(expandHostlist(once))).toBe(once);
      })
    );
  });
});

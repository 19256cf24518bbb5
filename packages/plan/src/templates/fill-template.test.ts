import { describe, expect, it } from "vitest";
import { SpecError } from "@neoxctl/core";
import { fillTemplate, placeholdersOf, resolveTemplateValues } from "./fill-template.ts";

describe("fillTemplate", () => {
  it("fills every placeholder, as often as it occurs", () => {
    expect(fillTemplate("a: {{x}}\nb: {{x}}/{{y}}", { x: "1", y: "2" }, "t")).toBe("a: 1\nb: 1/2");
  });

  it("names every key that has no value", () => {
    try {
      fillTemplate("{{a}} {{b}} {{c}}", { b: "1" }, "t");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      expect((e as SpecError).issues.map((i) => i.path)).toEqual(["template.a", "template.c"]);
    }
  });

  it("refuses text that still looks like a placeholder", () => {
    expect(() => fillTemplate("{{ name }}", {}, "t")).toThrow(SpecError);
  });

  it("inserts values literally (no placeholder expansion inside a value)", () => {
    expect(fillTemplate("{{a}}", { a: "{{b}}x", b: "no" }, "t")).toBe("{{b}}x");
  });

  it("lists placeholders once, in order of first use", () => {
    expect(placeholdersOf("{{b}} {{a}} {{b}}")).toEqual(["b", "a"]);
  });
});

describe("resolveTemplateValues", () => {
  it("resolves defaults that refer to other values; given values win", () => {
    const declared = { root: { default: "/scratch/{{account}}/{{name}}" }, account: {} };
    expect(resolveTemplateValues({ declared, given: { name: "r", account: "p1" }, source: "t" })).toEqual({
      name: "r",
      account: "p1",
      root: "/scratch/p1/r"
    });
    expect(
      resolveTemplateValues({ declared, given: { name: "r", account: "p1", root: "/x" }, source: "t" }).root
    ).toBe("/x");
  });

  it("leaves a value unresolved when what it needs is missing (the caller reports it)", () => {
    const out = resolveTemplateValues({
      declared: { root: { default: "/scratch/{{account}}" }, account: {} },
      given: { name: "r" },
      source: "t"
    });
    expect(out).toEqual({ name: "r" });
  });
});
